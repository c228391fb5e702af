#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive a program through a pseudo-terminal, as a person at a terminal would.

Usage: pty_drive.py SCRIPT -- PROGRAM [ARGS...]

SCRIPT has one step per line:
  send TEXT       type TEXT (Python escapes allowed: \\n Enter, \\x1b[A arrow up, \\t Tab)
  expect REGEX    wait (up to the timeout) until the output since the last expect matches
  expect_not REGEX  the output since the last expect does not match (checked at once)
  timeout S       the timeout of the next expects (default 20 s)
  sleep S         wait S seconds, reading output meanwhile
  wait_file PATH  wait (up to the timeout) until PATH exists, reading output meanwhile: the
                  test's other processes say when they are done with the running program
  exit CODE       wait for the program to end and check its exit code
Lines starting with # are comments. On failure the transcript is printed and the exit code
is 1. The terminal is 100 columns wide; TERM is set to vt100 unless set already.
"""
import codecs
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def main():
    if "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = sys.argv.index("--")
    script = open(sys.argv[1]).read().splitlines()
    argv = sys.argv[sep + 1:]
    env = dict(os.environ)
    env.setdefault("TERM", "vt100")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    transcript = b""
    mark = 0
    timeout = 20.0
    status = None

    def read_some(wait):
        nonlocal transcript, status
        r, _, _ = select.select([fd], [], [], wait)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            transcript += data
            return bool(data)
        return True

    def failure(msg):
        sys.stderr.write("pty_drive: %s\n--- transcript\n%s\n---\n" %
                         (msg, transcript.decode("utf-8", "replace")))
        return 1

    for raw in script:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, arg = line.partition(" ")
        if op == "send":
            os.write(fd, codecs.decode(arg, "unicode_escape").encode("latin-1"))
        elif op == "timeout":
            timeout = float(arg)
        elif op == "sleep":
            end = time.time() + float(arg)
            while time.time() < end:
                read_some(max(0.0, end - time.time()))
        elif op == "wait_file":
            end = time.time() + timeout
            while not os.path.exists(arg):
                if time.time() > end:
                    return failure("timed out waiting for the file %s" % arg)
                read_some(0.1)
        elif op in ("expect", "expect_not"):
            rx = re.compile(arg.encode())
            if op == "expect_not":
                read_some(0.2)
                if rx.search(transcript[mark:]):
                    return failure("unexpected match: %s" % arg)
                continue
            end = time.time() + timeout
            while True:
                m = rx.search(transcript[mark:])
                if m:
                    mark += m.end()
                    break
                if time.time() > end:
                    return failure("timed out waiting for: %s" % arg)
                if not read_some(min(0.1, max(0.0, end - time.time()))):
                    # The program closed the terminal: one last look.
                    if not rx.search(transcript[mark:]):
                        return failure("the program ended before: %s" % arg)
        elif op == "exit":
            end = time.time() + timeout
            while status is None and time.time() < end:
                read_some(0.1)
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
            if status is None:
                return failure("the program did not end")
            code = os.waitstatus_to_exitcode(status)
            if code != int(arg):
                return failure("exit code %d, expected %s" % (code, arg))
        else:
            return failure("bad script line: %s" % raw)
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    sys.stdout.write(transcript.decode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
