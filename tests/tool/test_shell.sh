#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The meshrpr shell. Through a pipe (deterministic: virtual time moves only with the commands):
# scan, scan-ext, provision-remote, provision and the NPPI procedures (reprovision,
# reprovision-remote) run in the background and report as they go, while scan-get and link-get
# see the scan and the link live; the sticky target stands in for
# --server; help lists only what the shell accepts; what it refuses says so. Through a
# pseudo-terminal (tests/tool/pty_drive.py), as a person types: the prompt, the network
# running while the shell waits (reports printed above a half-typed line, which survives; a
# command answered while an extended scan and an NPPI procedure run),
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
DEV=$(uuid_of $W dev-3)
DEV1=$(uuid_of $W dev-1)
BENCH=$(uuid_of $W bench-1)
[ ${#DEV} -eq 32 ] && [ ${#DEV1} -eq 32 ] && [ ${#BENCH} -eq 32 ] || fail "no UUIDs in the world"
# line_of FILE PATTERN: the number of the first line of FILE matching PATTERN (0: none).
line_of() { awk -v p="$2" '$0 ~ p {print NR; f = 1; exit} END {if (!f) print 0}' "$1"; }

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

# ---- Extended scans and NPPI procedures run in the background too: the commands after them
# are answered while they run (the link of the procedure is live), their results follow.
cat >in2.txt <<EOT
scan 3 --server 0x0002
run 6
scan-ext 12 $DEV1 --server 0x0002
scan-ext 12 $DEV1 --server 0x0002
link-get --server 0x0002
reprovision 0x0005 --procedure key
link-get --server 0x0005
nodes
run 15
link-get --server 0x0005
reprovision-remote 0x0020 --server 0x0006 --procedure address
run 15
nodes
devices
EOT
run 1 "$M" --world $W shell <in2.txt
expect out.txt '^scan-ext running in the background: the report follows when it arrives$'
expect err.txt 'an Extended Scan of this device through 0x0002 is running already: wait for its report'
expect out.txt '^reprovision running in the background: the result follows when the link ends$'
expect out.txt '^reprovision-remote running in the background: the result follows when the link ends$'
awk '/^meshrpr> link-get/ {getline; print}' out.txt >links.txt
[ "$(sed -n 1p links.txt)" = "server 0x0002: link status success, state idle" ] ||
    fail "link-get during the extended scan: $(sed -n 1p links.txt)"
[ "$(sed -n 2p links.txt)" = "server 0x0005: link status success, state active" ] ||
    fail "link-get during the NPPI procedure: $(sed -n 2p links.txt)"
[ "$(sed -n 3p links.txt)" = "server 0x0005: link status success, state idle" ] ||
    fail "link-get after the NPPI procedure: $(sed -n 3p links.txt)"
REPORT=$(line_of out.txt "^server 0x0002: $DEV1: .*name \"dev-1\"")
KEY=$(line_of out.txt '^device key refresh of 0x0005 done in [0-9.]+ s: now 0x0005 with a new device key$')
RUN=$(line_of out.txt '^meshrpr> run 15$')
NODES=$(line_of out.txt '^meshrpr> nodes$')
[ "$REPORT" -gt "$RUN" ] && [ "$KEY" -gt "$RUN" ] && [ "$NODES" -lt "$RUN" ] ||
    fail "the results must follow the commands answered meanwhile (report $REPORT, key $KEY, run $RUN)"
expect out.txt '^0x0005 answers Composition Data Get with the new key: 1 element, 3 models$'
expect out.txt '^node address refresh of 0x0006 done in [0-9.]+ s: now 0x0020 with a new device key$'
expect out.txt '^0x0020 answers Composition Data Get with the new key'
# devices: the extended scan's row shows the RSSI of the device's Scan Report (not 0).
R1=$(sed -n "s/^\[[0-9.]* s\] 0x0002: $DEV1  rssi \(-[0-9]*\) dBm.*/\1/p" out.txt | head -1)
[ -n "$R1" ] || fail "no scan report of dev-1 through 0x0002"
expect out.txt "^$DEV1 0x0002 +$R1 +[0-9.]+ +uri \"https://meshrpr.example/dev-1\", name \"dev-1\"$"
# The results were saved.
run 0 "$M" --world $W nodes
expect out.txt "^0x0020 +1 +$BENCH +bench-1 +device$"
run 0 "$M" --world $W devices
expect out.txt "^$DEV1 0x0002 .*name \"dev-1\""

# ---- JSON: one object per command and per background event.
printf 'scan 2 --server 0x0002\nscan-ext 12 %s --server 0x0002\nrun 14\n' "$DEV1" |
    "$M" --world $W --json shell >json.txt 2>err.txt || fail "the JSON shell failed: $(cat err.txt)"
json_objects json.txt 'ext = [o for o in objs if o.get("command") == "scan-ext" and o.get("event") == "report"]
assert ext and ext[0]["report"]["status"] == "success", ext
assert any(a["text"] == "dev-1" for a in ext[0]["report"]["ad"]), ext'
expect json.txt '"event":[[:space:]]*"report"'
expect json.txt '"event":[[:space:]]*"end"'
# Lines the shell refuses get an object with an "error" of their own, and the session's result
# counts them.
printf 'frobnicate\nttl-get --node 0x0042\nscan 5 --world x.json\nnodes\n' |
    "$M" --world $W --json shell >json2.txt 2>err.txt && fail "the refused lines must fail the shell"
json_objects json2.txt 'want = [("frobnicate", "unknown command \"frobnicate\" (help lists the commands)"),
        ("ttl-get", "unknown node 0x0042: no node with that primary address in the database (see nodes)"),
        ("scan", "--world is an option of the program, not of the shell\x27s commands"),
        ("nodes", None), ("shell", "3 commands of the session failed")]
got = [(o["command"], o.get("error")) for o in objs]
assert got == want, got
assert objs[-1]["failures"] == 3'

# The same on a terminal: a refused line's error object is printed at once.
cat >ptyj.txt <<'EOT'
expect meshrpr> $
send frobnicate\n
expect "command":\s+"frobnicate",\s+"error":\s+"unknown command \\"frobnicate\\" \(help lists the commands\)"\s+}\r\nmeshrpr> $
send ttl-get --node 0x0042\n
expect "error":\s+"unknown node 0x0042
expect meshrpr> $
send quit\n
exit 1
EOT
pty_session ptyj.txt ptyj.out "$M" --world $W --json shell --speed 0

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
pty_session pty1.txt pty1.out "$M" --world $W shell --speed 1
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
pty_session pty2.txt pty2.out "$M" --world $W shell --speed 20
# An extended scan and an NPPI procedure at once, at half a virtual second per second (the
# report comes 5 to 9 virtual s after the start, the procedure takes about 4): the prompt stays
# live, a command typed meanwhile is answered before either result.
cat >pty3.txt <<EOT
expect meshrpr> \$
send scan-ext 12 $DEV1 --server 0x0002\n
expect scan-ext running in the background: the report follows when it arrives\r\nmeshrpr> \$
send reprovision 0x0020 --procedure key\n
expect reprovision running in the background: the result follows when the link ends\r\nmeshrpr> \$
send nodes\n
expect 6 nodes in the database\r\nmeshrpr> \$
timeout 60
expect device key refresh of 0x0020 done in [0-9.]+ s[\s\S]*name "dev-1"|name "dev-1"[\s\S]*device key refresh of 0x0020 done in
send quit\n
exit 0
EOT
pty_session pty3.txt pty3.out "$M" --world $W shell --speed 0.5
no_raw_errno pty1.out pty2.out pty3.out
echo PASS
