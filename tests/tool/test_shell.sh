#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The meshrpr shell. Through a pipe (deterministic: virtual time moves only with the commands):
# scan, provision-remote and provision run in the background and report as they go, while
# scan-get and link-get see the scan and the link live; the sticky target stands in for
# --server; help lists only what the shell accepts; what it refuses says so. Through a
# pseudo-terminal (tests/tool/pty_drive.py), as a person types: the prompt, the network
# running while the shell waits (reports printed above a half-typed line, which survives),
# Tab completion, history with the arrow keys (kept in ~/.meshrpr_history), help COMMAND,
# clear errors, quit.
#
# Usage: test_shell.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
W=w.json

run 0 "$M" world new $W --seed 5 --servers 3 --devices 3 --near 1
expect out.txt '3 servers'
uuid_of() { python3 -c 'import json, sys
w = json.load(open(sys.argv[1]))
print([n["uuid"] for n in w["nodes"] if n["name"] == sys.argv[2]][0])' $W "$1"; }
DEV=$(uuid_of dev-3)
BENCH=$(uuid_of bench-1)
[ ${#DEV} -eq 32 ] && [ ${#BENCH} -eq 32 ] || fail "no UUIDs in the world"

# ---- Through a pipe.
cat >in.txt <<EOT
target 0x0004
scan 5
scan-get
run 2
scan-stop
provision-remote $DEV 0 0
run 1
link-get
provision $BENCH 0 0
run 30
link-get
help
world new x.json
target 0x0042
EOT
run 1 "$M" --world $W shell <in.txt
# The scan is live: scan-get sees it, the report comes during run, scan-stop ends it.
expect out.txt '^scan running in the background: reports follow as they arrive$'
awk '/^meshrpr> scan-get/ {getline; print; exit}' out.txt >live.txt
expect live.txt '^server 0x0004: scan status success, state multiple devices, max devices 4, 5 s left$'
expect out.txt "^\[0\.[0-9]{3} s\] 0x0004: $DEV  rssi -[0-9]+ dBm, oob on device$"
expect out.txt '^server 0x0004: scan status success, state idle'
expect out.txt '^\[[0-9.]+ s\] scan through 0x0004 over: 1 report$'
# The link is live while the provisioning runs, idle after.
awk '/^meshrpr> link-get/ {getline; print}' out.txt >links.txt
[ "$(sed -n 1p links.txt)" = "server 0x0004: link status success, state active" ] ||
    fail "link-get during the provisioning: $(sed -n 1p links.txt)"
[ "$(sed -n 2p links.txt)" = "server 0x0004: link status success, state idle" ] ||
    fail "link-get after the provisioning: $(sed -n 2p links.txt)"
expect out.txt "^provisioned $DEV as 0x0005 \(1 element\) through 0x0004 in [0-9.]+ s, authenticated with Output OOB$"
expect out.txt "^provisioned $BENCH as 0x0006 \(1 element\) over PB-ADV in [0-9.]+ s, no OOB authentication$"
# help lists what the shell accepts, and only that.
expect out.txt '^  target \[ADDR\|none\] +set the server'
expect out.txt '^  discover \[TIMEOUT\]'
expect_not out.txt '^  (world|demo|shell) '
expect err.txt 'not available in the shell: "world"'
expect err.txt 'unknown server 0x0042'
# The jobs' results were saved.
run 0 "$M" --world $W nodes
expect out.txt "^0x0005 +1 +$DEV +dev-3 +device$"
expect out.txt "^0x0006 +1 +$BENCH +bench-1 +device$"

# ---- JSON: one object per command and per background event.
printf 'scan 2 --server 0x0002\nrun 6\n' | "$M" --world $W --json shell >json.txt 2>err.txt ||
    fail "the JSON shell failed: $(cat err.txt)"
expect json.txt '"event":[[:space:]]*"report"'
expect json.txt '"event":[[:space:]]*"end"'

# ---- Through a pseudo-terminal, at 1 virtual second per second: at 4, a loaded machine let the
# first report overtake the driver between "scan 8" and its prompt (seen in CI under load).
mkdir -p home
cat >pty1.txt <<'EOT'
expect meshrpr> $
send target 0x0002\n
expect target 0x0002: commands without --server go through it\r\nmeshrpr> $
send scan 8\n
expect running in the background.*\r\nmeshrpr> $
send scan-get\n
expect state multiple devices.*\r\nmeshrpr> $
# Half a line typed while the report arrives: printed above it, the line kept.
send hel
expect \] 0x0002: [0-9a-f]{32}  rssi -[0-9]+ dBm
expect meshrpr> hel$
send p scan-g
expect scan through 0x0002 over: [1-4] reports?\r\nmeshrpr> help scan-g$
send et\n
expect usage: scan-get \[--server ADDR\]
expect \(without --server: the shell's target\)\r\nmeshrpr> $
# History: two lines up is scan-get; the scan is over now.
send \x1b[A\x1b[A\n
expect state idle.*\r\nmeshrpr> $
# Tab completes a command name.
send disc\t
expect disc.*over $
send  2\n
expect scanning through 3 servers for 2 s
expect discover through every server over: [0-9]+ reports?\r\nmeshrpr> $
send frobnicate\n
expect unknown command "frobnicate" \(help lists the commands\)
send quit\n
# A command failed (frobnicate): the shell's exit code says so.
exit 1
EOT
HOME=$PWD/home python3 "$HERE/pty_drive.py" pty1.txt -- "$M" --world $W shell --speed 1 >pty1.out ||
    fail "the terminal session failed"
expect home/.meshrpr_history '^scan-get$'
expect home/.meshrpr_history '^discover(\\040| )'
# History comes back in the next session.
cat >pty2.txt <<'EOT'
expect meshrpr> $
send \x1b[A\x1b[A\x1b[A\n
expect discover through every server over.*\r\nmeshrpr> $
send \x04
exit 0
EOT
HOME=$PWD/home python3 "$HERE/pty_drive.py" pty2.txt -- "$M" --world $W shell --speed 20 >pty2.out ||
    fail "the second terminal session failed"
echo PASS
