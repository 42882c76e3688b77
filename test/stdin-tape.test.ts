// Unit tests for src/run/stdin-tape.ts: the caller's stdin goes to the child while a bounded copy
// is kept, so the retry after a re-auth reads the same input (kept bytes, then what is still
// unread); once more than the cap was read the input cannot be replayed, and wrap.ts does not
// retry (tape.canReplay() is what it asks).
import { PassThrough, Writable } from "node:stream";
import { setImmediate as flush } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createStdinTape, STDIN_REPLAY_LIMIT } from "../src/run/stdin-tape.js";

/** A child's stdin: records what it was sent and whether it was ended. */
function child(highWaterMark?: number) {
  const chunks: Buffer[] = [];
  let ended = false;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
    final(done) {
      ended = true;
      done();
    },
  });
  return {
    stream,
    text: () => Buffer.concat(chunks).toString(),
    ended: () => ended,
  };
}

describe("replay for the retry", () => {
  it("the first child gets the live input; the retry gets the kept bytes, then the rest, then the end", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 1024);
    const first = child();
    tape.attach(first.stream);
    source.write("line 1\n");
    await flush();
    expect(first.text()).toBe("line 1\n");
    tape.detach();

    source.write("line 2\n"); // read while no child listens: kept, not lost
    await flush();
    const retry = child();
    tape.attach(retry.stream);
    source.end("line 3\n");
    await flush();
    await flush();
    expect(retry.text()).toBe("line 1\nline 2\nline 3\n");
    expect(retry.ended()).toBe(true);
    expect(first.text()).toBe("line 1\n");
    expect(first.ended()).toBe(false);
    expect(tape.canReplay()).toBe(true);
  });

  it("input that had already ended is replayed whole and ended", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 1024);
    const first = child();
    tape.attach(first.stream);
    source.end("all of it");
    await flush();
    await flush();
    expect(first.ended()).toBe(true);
    tape.detach();
    const retry = child();
    tape.attach(retry.stream);
    await flush();
    expect(retry.text()).toBe("all of it");
    expect(retry.ended()).toBe(true);
  });

  it("nothing is read before the first child is attached", async () => {
    const source = new PassThrough();
    source.write("early");
    const tape = createStdinTape(source, 1024);
    await flush();
    expect(source.isPaused()).toBe(true);
    const first = child();
    tape.attach(first.stream);
    await flush();
    expect(first.text()).toBe("early");
  });

  it("input up to the cap exactly can still be replayed", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 8);
    tape.attach(child().stream);
    source.end("12345678");
    await flush();
    await flush();
    expect(tape.canReplay()).toBe(true);
  });
});

describe("the copy is bounded", () => {
  it("consumed more than the cap: no replay (so no retry), the kept copy is dropped, the child still gets everything", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 8);
    const first = child();
    tape.attach(first.stream);
    source.write("12345");
    await flush();
    expect(tape.canReplay()).toBe(true);
    source.end("6789");
    await flush();
    await flush();
    expect(tape.canReplay()).toBe(false);
    expect(first.text()).toBe("123456789");
    tape.detach();
    const retry = child();
    tape.attach(retry.stream);
    await flush();
    expect(retry.text()).toBe("");
  });

  it("by default the cap is STDIN_REPLAY_LIMIT (16 MiB)", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source);
    tape.attach(child().stream);
    source.write(Buffer.alloc(STDIN_REPLAY_LIMIT));
    await flush();
    expect(tape.canReplay()).toBe(true);
    source.end("x");
    await flush();
    await flush();
    expect(tape.canReplay()).toBe(false);
  });
});

describe("a child that does not keep up or does not read", () => {
  it("backpressure: input pauses while the child's stdin is full and resumes on drain", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 1024);
    let finishWrite!: () => void;
    const slow = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, done) {
        finishWrite = done;
      },
    });
    tape.attach(slow);
    source.write("abc");
    await flush();
    expect(source.isPaused()).toBe(true);
    finishWrite();
    await flush();
    expect(source.isPaused()).toBe(false);
  });

  it("a read error on the caller's stdin ends the child's stdin instead of leaving it waiting", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 1024);
    const first = child();
    tape.attach(first.stream);
    source.destroy(new Error("EIO"));
    await flush();
    await flush();
    expect(first.ended()).toBe(true);
  });

  it("an error on the child's stdin (EPIPE: it exited without reading) is not thrown", async () => {
    const source = new PassThrough();
    const tape = createStdinTape(source, 1024);
    const first = child();
    tape.attach(first.stream);
    first.stream.emit(
      "error",
      Object.assign(new Error("write EPIPE"), { code: "EPIPE" }),
    );
    await flush();
    tape.close();
    expect(source.destroyed).toBe(true);
  });
});
