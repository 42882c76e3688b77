// The stdout relay's worker thread (see relay.ts): copies the child's stdout socket to fd 1 with
// one reused buffer and plain read/write calls, instead of a new 64 KiB Buffer and a trip through
// streams for every chunk on the main thread. Both fds are non-blocking (libuv made them so);
// on EAGAIN it sleeps on a shared flag, from 20 µs doubling to 5 ms, so a burst is read at once
// and a quiet stream (`kubectl logs -f`) costs a few hundred wake-ups a second and shows each
// line within 5 ms. It never blocks in a system call: a worker stuck in read() would keep the
// process from exiting while a grandchild holds the pipe.
/* global Buffer */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS worker, loaded by path */
"use strict";
const { readSync, writeSync } = require("node:fs");
const { workerData, parentPort } = require("node:worker_threads");

const { fd, out, control, quietMs, windowBytes } = workerData;
// control[0]: 0 run, 1 child exited (stop after quietMs without data), 2 stop now.
const flags = new Int32Array(control);
// The read buffer is also the classification window's tail: each read goes in after the last,
// wrapping at the end, so the last windowBytes bytes are always in it and never copied.
const ring = Buffer.allocUnsafe(1024 * 1024);
let at = 0;
let filled = 0;
let total = 0;
let outcome = "end";
let delay = 0.02;
let quietSince = 0;

const sleep = () => {
  Atomics.wait(flags, 0, flags[0], delay);
  delay = Math.min(delay * 2, 5);
};

/** The last windowBytes bytes read, in order. */
function tail() {
  const length = Math.min(windowBytes, filled);
  if (at >= length) return Buffer.from(ring.subarray(at - length, at));
  return Buffer.concat([
    ring.subarray(ring.length - (length - at)),
    ring.subarray(0, at),
  ]);
}

function writeAll(from, length) {
  let written = 0;
  while (written < length) {
    if (flags[0] === 2) return false;
    try {
      written += writeSync(out, ring, from + written, length - written);
      delay = 0.02;
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      sleep();
    }
  }
  return true;
}

try {
  for (;;) {
    if (flags[0] === 2) {
      outcome = "stopped";
      break;
    }
    let got;
    try {
      if (at === ring.length) at = 0;
      got = readSync(fd, ring, at, ring.length - at, null);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      if (flags[0] === 1) {
        quietSince ||= Date.now();
        if (Date.now() - quietSince >= quietMs) {
          outcome = "cut";
          break;
        }
      }
      sleep();
      continue;
    }
    if (got === 0) break;
    quietSince = 0;
    delay = 0.02;
    total += got;
    filled = Math.min(filled + got, ring.length);
    at += got;
    if (!writeAll(at - got, got)) {
      outcome = "stopped";
      break;
    }
  }
} catch (error) {
  outcome =
    error.code === "EPIPE" ? "epipe" : `error ${error.code ?? error.message}`;
}
parentPort.postMessage({ outcome, total, tail: tail() });
