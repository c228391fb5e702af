#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The meshrpr tool's --hci mode as its user sees it (issue #10): help without a controller
(--help, help COMMAND, COMMAND --help, the man page's section), --json results and usage
errors, and for every SPEC form (/dev/tty...[@baud], unix:PATH, tcp:HOST:PORT, hciN) what a
missing controller, a controller that refuses a command, one that never answers and one that
hangs up say: exit status 1 with a message in words (never a bare errno), within a bound,
never a hang. The fake controllers here speak H4 from a socket or a pseudo-terminal. Two
tools on one --state DIR: a second node is refused at once, a provisioner's command waits.

usage: test_tool_hci.py MESHRPR_BINARY WORK_DIR
"""
import json
import os
import pty
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

M, WD = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
shutil.rmtree(WD, ignore_errors=True)
os.makedirs(WD)
# UNIX socket paths hold 107 octets.
SOCK_DIR = WD if len(WD) < 80 else None
if SOCK_DIR is None:
    import tempfile
    SOCK_DIR = tempfile.mkdtemp(prefix="meshrpr-hci-")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def run(args, timeout=30):
    t0 = time.monotonic()
    try:
        p = subprocess.run([M] + args, capture_output=True, text=True, timeout=timeout,
                           cwd=WD)
    except subprocess.TimeoutExpired:
        check(False, "hang: %s did not end within %u s" % (" ".join(args), timeout))
        return -1, "", "", timeout
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def no_bare_errno(msg, what):
    # Words, not a number: no "errno", no "-111", no "error 5".
    check(re.search(r"errno|(^|[\s:(])-\d+\b|error \d+\s*$", msg) is None,
          "%s: a raw errno in \"%s\"" % (what, msg))
    check(len(re.findall(r"[a-zA-Z]{4,}", msg)) >= 3, "%s: too few words in \"%s\"" % (what, msg))


def expect_fail(spec, pattern, what, max_s=20.0):
    """A command on spec fails with exit 1, pattern in its message, in text and --json."""
    for js in (False, True):
        state = os.path.join(WD, "st-" + re.sub(r"[^a-z0-9]", "_", what))
        args = (["--json"] if js else []) + ["--hci", spec, "--state", state, "nodes"]
        rc, out, err, took = run(args, timeout=max_s + 30)
        label = "%s%s" % (what, " --json" if js else "")
        check(rc == 1, "%s: exit %d, want 1 (%s)" % (label, rc, err.strip()))
        check(took <= max_s, "%s: took %.1f s, bound %.1f s" % (label, took, max_s))
        check(re.search(pattern, err) is not None,
              "%s: no /%s/ in stderr \"%s\"" % (label, pattern, err.strip()))
        no_bare_errno(err.strip(), label)
        if js:
            try:
                res = json.loads(out)
            except ValueError:
                check(False, "%s: stdout is not JSON: %r" % (label, out))
                continue
            check(res.get("command") == "nodes", "%s: command %r" % (label, res.get("command")))
            check(re.search(pattern, res.get("error", "")) is not None,
                  "%s: JSON error %r" % (label, res.get("error")))
        else:
            check(out == "", "%s: text on stdout: %r" % (label, out))


# ---- Fake controllers ------------------------------------------------------------------------

class Fake:
    """Accepts connections on a listening socket and runs behave(conn) on each."""

    def __init__(self, family, addr, behave):
        self.s = socket.socket(family, socket.SOCK_STREAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind(addr)
        self.s.listen(4)
        self.addr = self.s.getsockname()
        self.behave = behave
        self.accepted = threading.Event()
        self.conns = []
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            self.conns.append(c)
            self.accepted.set()
            threading.Thread(target=self.behave, args=(c,), daemon=True).start()

    def close(self):
        self.s.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def read_command(read):
    """One H4 command packet: (opcode) or None at the end."""
    hdr = b""
    while len(hdr) < 4:
        b = read(4 - len(hdr))
        if not b:
            return None
        hdr += b
    if hdr[0] != 0x01:
        return None
    n = hdr[3]
    while n > 0:
        b = read(n)
        if not b:
            return None
        n -= len(b)
    return hdr[1] | hdr[2] << 8


def silent(c):
    # Reads what the host sends and never answers.
    while c.recv(256):
        pass


def refuses(c):
    # Every command: Command Complete with status 0x01 Unknown HCI Command (Core v5.3
    # Vol 4 Part E §7.7.14, Vol 1 Part F §1.3).
    while True:
        op = read_command(c.recv)
        if op is None:
            return
        c.sendall(bytes([0x04, 0x0e, 0x04, 0x01, op & 0xff, op >> 8, 0x01]))


def hangs_up(c):
    read_command(c.recv)
    c.close()


# ---- Help, without a controller -------------------------------------------------------------

CMDS = ["scan", "scan-ext", "provision-remote", "provision", "reprovision", "composition-get",
        "nodes", "node", "help"]
rc, usage, err, _ = run(["--hci", "unix:/nonexistent", "--help"])
check(rc == 0 and usage.startswith("usage: meshrpr --hci SPEC --state DIR"),
      "--hci SPEC --help: exit %d, %r" % (rc, usage[:80]))
for spec in ("/dev/ttyACM0[@BAUD][,noflow]", "unix:PATH", "tcp:HOST:PORT", "hciN"):
    check(spec in usage, "--help does not name the SPEC form %s" % spec)
for c in CMDS:
    check(re.search(r"^  %s\b" % re.escape(c), usage, re.M) is not None,
          "--help does not list %s" % c)
    rc, h1, err, _ = run(["--hci", "x", "help", c])
    check(rc == 0 and re.match(r"usage: meshrpr --hci SPEC --state DIR .*%s" % re.escape(c), h1),
          "help %s: exit %d, %r" % (c, rc, h1[:80]))
    if c != "help":
        rc, h2, err, _ = run(["--hci", "x", c, "--help"])
        check(rc == 0 and h1 == h2, "%s --help differs from help %s" % (c, c))
rc, out, err, _ = run(["--hci", "x", "-h"])
check(rc == 0 and out == usage, "-h differs from --help")
rc, out, err, _ = run(["--json", "--hci", "x", "help", "no-such"])
check(rc == 2 and "no-such" in json.loads(out or "{}").get("error", ""),
      "help no-such --json: exit %d, %r" % (rc, out))
rc, out, err, _ = run(["--help"])
check("--hci SPEC" in out, "the world mode's --help does not mention --hci")
rc, man, err, _ = run(["--man"])
sect = man.split(".SH ON A REAL CONTROLLER", 1)
check(len(sect) == 2, "no ON A REAL CONTROLLER section in the man page")
if len(sect) == 2:
    body = sect[1].split(".SH ", 1)[0]
    for c in CMDS:
        check("\\fB%s\\fR" % c.replace("-", "\\-") in body, "man page: no entry for %s" % c)

# ---- Usage errors, --json -------------------------------------------------------------------

st = os.path.join(WD, "st-usage")
for args, pattern in (
        (["scan", "10"], "needs --server ADDR"),
        (["bogus"], "does not run on a controller"),
        (["nodes", "--frob", "1"], "--frob is not an option with --hci"),
        (["node", "--role", "server"], "--json is for the provisioner's commands"),
        (["node", "--role", "king"], "node needs --role server\\|device"),
):
    rc, out, err, _ = run(["--json", "--hci", "unix:/nonexistent", "--state", st] + args)
    try:
        res = json.loads(out)
    except ValueError:
        res = {}
    want_rc = 1 if args[0] == "scan" else 2
    if args[0] == "scan":
        # Checked after the controller is opened: here there is none, and it says so first.
        pattern = "no controller there"
    check(rc == want_rc and re.search(pattern, res.get("error", "")) is not None,
          "--json %s: exit %d, %r" % (" ".join(args), rc, out))

# ---- A missing controller, per SPEC form -----------------------------------------------------

expect_fail("unix:" + os.path.join(SOCK_DIR, "no-such-socket"), "no controller there",
            "unix: nobody there")
closed = socket.socket()
closed.bind(("127.0.0.1", 0))
port = closed.getsockname()[1]
closed.close()
expect_fail("tcp:127.0.0.1:%d" % port, "127.0.0.1:%d: Connection refused .*no controller there"
            % port, "tcp: nobody listening")
expect_fail("tcp:no-such-host.invalid:1", "cannot resolve the host", "tcp: no such host")
expect_fail("/dev/meshrpr-no-such-tty@115200", "No such file or directory.*plugged in",
            "tty: no such device")
expect_fail("/dev/null", "not a serial port", "tty: not a serial port")
# Here either no Bluetooth sockets, no permission, or no controller 99: each in words.
expect_fail("hci99", "hci99: (no Bluetooth sockets here|cannot open the HCI user "
            "channel)", "hciN: no controller 99")
expect_fail("hci", "expected hciN", "hciN: no index")

# ---- A controller that never answers, refuses, hangs up --------------------------------------

# The host gives each HCI command 3 s (README): bounded well above that on a loaded machine.
BOUND_S = 25.0
fakes = []
for name, behave, pattern in (
        ("silent", silent, r"did not answer Reset \(0x0c03\) within 3000 ms"),
        ("refuses", refuses, r"refused Reset \(0x0c03\): 0x01 Unknown HCI Command"),
        ("hangs up", hangs_up, r"the controller closed the connection"),
):
    path = os.path.join(SOCK_DIR, "fake-%s" % name.replace(" ", "-"))
    u = Fake(socket.AF_UNIX, path, behave)
    t = Fake(socket.AF_INET, ("127.0.0.1", 0), behave)
    fakes += [u, t]
    expect_fail("unix:" + path, pattern, "unix: a controller that " + name, BOUND_S)
    expect_fail("tcp:127.0.0.1:%d" % t.addr[1], pattern, "tcp: a controller that " + name,
                BOUND_S)

# A UART whose controller never answers: a pseudo-terminal nobody answers on.
master, slave = pty.openpty()
tty = os.ttyname(slave)
stop_pty = threading.Event()


def drain():
    while not stop_pty.is_set():
        try:
            os.read(master, 256)
        except OSError:
            time.sleep(0.05)


threading.Thread(target=drain, daemon=True).start()
expect_fail(tty + "@115200,noflow", r"did not answer Reset \(0x0c03\) within 3000 ms",
            "tty: a controller that is silent", BOUND_S)
expect_fail(tty + "@12345", "unsupported baud rate 12345", "tty: a bad baud rate")

# ---- One process per --state DIR -------------------------------------------------------------

held = Fake(socket.AF_UNIX, os.path.join(SOCK_DIR, "fake-lock"), silent)
fakes.append(held)
spec = "unix:" + held.addr
st = os.path.join(WD, "st-lock")
a = subprocess.Popen([M, "--hci", spec, "--state", st, "node", "--role", "server"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=WD)
# The lock is taken before the controller is opened: once the fake has the connection, the
# first node holds the directory (and keeps it for its 3 s bring-up timeout).
check(held.accepted.wait(20), "the first node never connected")
rc, out, err, took = run(["--hci", spec, "--state", st, "node", "--role", "device"])
check(rc == 1 and re.search(r"--state .*st-lock is in use by another meshrpr", err) is not None,
      "a second node on one --state: exit %d, %r" % (rc, err))
check(took < 2.5, "a second node on one --state was not refused at once (%.1f s)" % took)
# A provisioner's command waits its turn, then runs (here: to the fake's silence).
rc, out, err, took = run(["--hci", spec, "--state", st, "nodes"], timeout=60)
check("is in use by another meshrpr; waiting" in err,
      "the provisioner's command did not say it waits: %r" % err)
check(rc == 1 and ("did not answer Reset" in err or "not a provisioner's" in err),
      "the provisioner's command after the wait: exit %d, %r" % (rc, err))
a.wait(30)
check(a.returncode == 1 and "did not answer Reset" in a.stderr.read(),
      "the first node: exit %s" % a.returncode)
a.stdout.close()
a.stderr.close()

stop_pty.set()
for f in fakes:
    f.close()
os.close(slave)
os.close(master)
if SOCK_DIR != WD:
    shutil.rmtree(SOCK_DIR, ignore_errors=True)
if failures:
    print("%d failure(s)" % len(failures), file=sys.stderr)
    sys.exit(1)
print("PASS")
