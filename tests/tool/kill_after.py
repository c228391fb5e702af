#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run a program on a pseudo-terminal (so its stdout is line-buffered, as for a person at a
terminal) and kill it with SIGKILL the moment a line of its output matches REGEX, before it
can do anything more: what the line says must already be on disk.

Usage: kill_after.py REGEX TIMEOUT_S -- PROGRAM [ARGS...]
Exit code 0 when the line appeared and the program was killed, 1 when it ended (or the
timeout passed) without the line; the output seen is printed on stdout.
"""
import os
import pty
import re
import select
import signal
import sys
import time


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    pattern = re.compile(sys.argv[1].encode(), re.M)
    deadline = time.monotonic() + float(sys.argv[2])
    argv = sys.argv[4:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = b""
    killed = False
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
        if pattern.search(seen):
            os.kill(pid, signal.SIGKILL)
            killed = True
            break
    if not killed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace").replace("\r\n", "\n"))
    return 0 if killed else 1


if __name__ == "__main__":
    sys.exit(main())
