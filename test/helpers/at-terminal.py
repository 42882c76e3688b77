#!/usr/bin/env python3
"""Runs a command in a new pseudo-terminal, as a person at a terminal would run it.

usage: at-terminal.py [--send-when FILE BYTES]... [--] ARGV...

Once FILE exists, BYTES (with Python escapes: '\\x03' is Ctrl-C, '\\x1c' Ctrl-\\) are typed at the
terminal, so the terminal's line discipline turns them into signals for its foreground process
group, exactly as a keypress would. Prints what the terminal showed; exits with the command's
status (128+N when a signal N ended it)."""
import codecs
import os
import pty
import select
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    sends = []
    while args and args[0] == '--send-when':
        sends.append((args[1], codecs.decode(args[2], 'unicode_escape').encode('latin-1')))
        args = args[3:]
    if args and args[0] == '--':
        args = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(args[0], args)
    out = bytearray()
    status = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for send in list(sends):
            if os.path.exists(send[0]):
                os.write(fd, send[1])
                sends.remove(send)
        ready, _, _ = select.select([fd], [], [], 0.02)
        data = b''
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: every process holding the terminal is gone
                data = b''
            out += data
        if status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = raw
        elif not data:
            break
    else:
        os.kill(pid, 9)
        status = os.waitpid(pid, 0)[1]
    sys.stdout.buffer.write(bytes(out))
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


if __name__ == '__main__':
    sys.exit(main())
