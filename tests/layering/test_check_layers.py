#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_layers.py must fail, naming each edge, on a tree that breaks the layer order, and on a
known list that names an edge that is gone; and pass when the list names exactly what exists."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_layers.py")
FIXTURE = os.path.join(HERE, "fixture_upward")
EDGES = [
    "call net/net.c -> models/model.c",
    "include net/net.c -> models/model.h",
    "write models/model.c -> node->net",
]


def run(known_lines):
    # The known list goes into the work directory (the build tree, never the sources).
    known = os.path.join(WORK, "known_upward.txt")
    with open(known, "w", encoding="utf-8") as f:
        f.write("\n".join(known_lines) + "\n")
    p = subprocess.run([sys.executable, CHECK, "--src", FIXTURE, "--known", known],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


if len(sys.argv) != 2:
    sys.exit("usage: test_check_layers.py WORK_DIR")
WORK = sys.argv[1]
os.makedirs(WORK, exist_ok=True)
failures = 0


def expect(what, cond, out):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}\n{out}")
    else:
        print(f"ok: {what}")


rc, out = run([])
expect("upward edges fail the check", rc == 1, out)
for e in EDGES:
    kind, rest = e.split(" ", 1)
    a, b = rest.split(" -> ")
    expect(f"reports {e}", f"NEW UPWARD {kind} {a} " in out and f"-> {b} " in out, out)
rc, out = run(EDGES)
expect("the exact known list passes", rc == 0 and "OK:" in out, out)
rc, out = run(EDGES + ["call net/net.c -> core/core.c"])
expect("a listed edge that is gone fails", rc == 1 and "GONE" in out, out)
rc, out = run(EDGES[1:])
expect("one unlisted edge fails", rc == 1 and "NEW UPWARD call net/net.c" in out, out)
print(f"{7 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
