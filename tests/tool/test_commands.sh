#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The commands the meshrpr tool gained for daily use, each in its own invocation and then the
# same through the shell on a pseudo-terminal: discover (one scan through every server, one
# line per device), devices --unprovisioned, provision over PB-ADV (and its plain failure for a
# device out of the provisioner's range), provision-remote with the server discover chose,
# reprovision --procedure key|address|composition, scan-ext of a device that does not answer;
# a request nobody answers says so in words,
# with the errno name only in the --json result.
#
# The pty session runs at --speed 0: virtual time moves only with run, so what the background
# operations print, and when, does not depend on the machine's load.
#
# Usage: test_commands.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1

# new_world FILE: dev-1 (one element, a pending composition change, no OOB) beside srv-1,
# dev-2 (two elements, Static OOB) beside srv-2, dev-3 (Output OOB) beside srv-3, bench-1 in
# the provisioner's own range.
new_world() {
    run 0 "$M" world new "$1" --seed 5 --servers 3 --devices 3 --near 1
}
W=w.json
new_world $W
D1=$(uuid_of $W dev-1)
D2=$(uuid_of $W dev-2)
D3=$(uuid_of $W dev-3)
B=$(uuid_of $W bench-1)
[ ${#D1} -eq 32 ] && [ ${#D2} -eq 32 ] && [ ${#D3} -eq 32 ] && [ ${#B} -eq 32 ] ||
    fail "no UUIDs in the world"
cp $W fresh.json

# ---- Separate invocations.
run 0 "$M" --world $W discover 5
expect out.txt '^scanning through 3 servers for 5 s$'
expect out.txt '^UUID +SERVER +RSSI +HEARD BY$'
expect out.txt "^$D1 0x0002 +-[0-9]+ +[12] servers?$"
expect out.txt "^$D2 0x0003 +-[0-9]+ +[12] servers?$"
expect out.txt "^$D3 0x0004 +-[0-9]+ +1 server$"
expect out.txt '^[0-9]+ reports from 3 servers$'
# Each device once, however many servers heard it.
[ "$(grep -c "^$D1 " out.txt)" = 1 ] || fail "discover listed dev-1 twice"
run 0 "$M" --world $W --json discover 2
json_ok out.txt
expect out.txt '"heard_by":[[:space:]]*[12]'
run 0 "$M" --world $W devices --unprovisioned
expect out.txt "^$D2 0x0003 +-[0-9]+ +[0-9.]+ +number, on box$"
expect out.txt '^4 unprovisioned devices$'
# PB-ADV reaches bench-1, not dev-1 (beside srv-1, out of the provisioner's range).
run 1 "$M" --world $W provision "$D1" 0 0
expect err.txt "provisioning $D1 over PB-ADV failed: no answer over PB-ADV: the device is not within the provisioner's radio range \(provision-remote reaches it through a server\)"
run 0 "$M" --world $W provision "$B" 0 0
expect out.txt "^provisioned $B as 0x0005 \(1 element\) over PB-ADV in [0-9.]+ s, no OOB authentication$"
# provision-remote without --server: the server discover heard the device best through.
run 0 "$M" --world $W provision-remote "$D1" 0 0
expect out.txt "^provisioned $D1 as 0x0006 \(1 element\) through 0x0002 in [0-9.]+ s, no OOB authentication$"
run 0 "$M" --world $W provision-remote "$D2" 0 0
expect out.txt "^provisioned $D2 as 0x0007 \(2 elements\) through 0x0003 in [0-9.]+ s, authenticated with Static OOB$"
run 0 "$M" --world $W devices --unprovisioned
expect out.txt "^$D3 0x0004 "
expect out.txt '^1 unprovisioned device$'
# An Extended Scan of a device that no longer beacons (it is a node now) ends at its timeout.
run 1 "$M" --world $W --server 0x0002 scan-ext 2 "$D1"
expect err.txt "server 0x0002 did not find $D1 within 2 s$"
# The three NPPI procedures, each named.
run 0 "$M" --world $W reprovision 0x0005 --procedure key
expect out.txt '^device key refresh of 0x0005 done in [0-9.]+ s: now 0x0005 with a new device key$'
expect out.txt '^0x0005 answers Composition Data Get with the new key: 1 element, 3 models$'
run 0 "$M" --world $W reprovision 0x0006 --procedure composition
expect out.txt '^node composition refresh of 0x0006 done in [0-9.]+ s: now 0x0006 with a new device key$'
# Its new composition holds one model more (the Generic Level Server of page 128).
expect out.txt '^0x0006 answers Composition Data Get with the new key: 1 element, 4 models$'
run 0 "$M" --world $W reprovision 0x0007 --procedure address 0x0030
expect out.txt '^node address refresh of 0x0007 done in [0-9.]+ s: now 0x0030 with a new device key$'
expect out.txt '^0x0030 answers Composition Data Get with the new key: 2 elements, 4 models$'
run 0 "$M" --world $W nodes
expect out.txt "^0x0030 +2 +$D2 +dev-2 +device$"
expect out.txt '^7 nodes in the database$'

# ---- A node nobody answers for (in the database, not in the building): words on stderr and
# in the JSON error, the errno name only as "errno".
run 0 "$M" --world $W db-export db.json
python3 - db.json ghost.json <<'EOF'
import copy, json, sys
d = json.load(open(sys.argv[1]))
n = copy.deepcopy(d["nodes"][1])
n["UUID"] = "00000000-0000-4000-8000-000000000001"
n["unicastAddress"] = "0100"
d["nodes"].append(n)
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
run 0 "$M" --world $W db-import ghost.json
run 1 "$M" --world $W --server 0x0100 scan-caps
expect err.txt 'Scan Capabilities Get through 0x0100 failed: no answer in time$'
run 1 "$M" --world $W --node 0x0100 ttl-get
expect err.txt 'Default TTL Get to 0x0100: no answer in time \(the node is out of reach, or does not use the device key the database holds\)$'
run 1 "$M" --world $W --json --node 0x0100 ttl-get
json_ok out.txt
expect out.txt '"errno":[[:space:]]*"ETIMEDOUT"'
expect out.txt '"error":[[:space:]]*"Default TTL Get to 0x0100: no answer in time'
expect_not err.txt 'ETIMEDOUT|-110'

# ---- The same through the shell on a pseudo-terminal, from a fresh world.
cp fresh.json $W
cat >pty.txt <<EOT
expect meshrpr> \$
send help\n
expect quit +leave the shell.*\r\nmeshrpr> \$
send discover --help\n
expect usage: discover \[TIMEOUT\]
expect meshrpr> \$
send discover 5\n
expect scanning through 3 servers for 5 s[\s\S]*running in the background.*\r\nmeshrpr> \$
send run 9\n
expect $D3  rssi
expect discover through every server over: [0-9]+ reports\r\nvirtual time [0-9.]+ s\r\nmeshrpr> \$
send devices --unprovisioned\n
expect $D2 0x0003 +-[0-9]+ +[0-9.]+ +number, on box\r\n
expect 4 unprovisioned devices\r\nmeshrpr> \$
send provision $D1 0 0\n
expect provision running in the background.*\r\nmeshrpr> \$
send run 65\n
expect provisioning $D1 over PB-ADV failed: no answer over PB-ADV: the device is not within the provisioner's radio range
expect virtual time [0-9.]+ s\r\nmeshrpr> \$
send provision $B 0 0\n
expect meshrpr> \$
send run 5\n
expect provisioned $B as 0x0005 \(1 element\) over PB-ADV in [0-9.]+ s, no OOB authentication
expect meshrpr> \$
send provision-remote $D1 0 0\n
expect provision-remote running in the background.*\r\nmeshrpr> \$
send link-get --server 0x0002\n
expect server 0x0002: link status success, state active\r\nmeshrpr> \$
send run 10\n
expect provisioned $D1 as 0x0006 \(1 element\) through 0x0002
expect meshrpr> \$
send provision-remote $D2 0 0\n
expect meshrpr> \$
send run 10\n
expect provisioned $D2 as 0x0007 \(2 elements\) through 0x0003 in [0-9.]+ s, authenticated with Static OOB
expect meshrpr> \$
send provision-remote $D3 0 0\n
expect provision-remote running in the background.*\r\nmeshrpr> \$
send run 1\n
expect meshrpr> \$
send link-close --server 0x0004\n
expect server 0x0004: link status success, state closing\r\nmeshrpr> \$
send run 10\n
expect provisioning $D3 through 0x0004 failed: the link closed before the end
expect virtual time [0-9.]+ s\r\nmeshrpr> \$
send devices --unprovisioned\n
expect $D3 0x0004 
expect 1 unprovisioned device\r\nmeshrpr> \$
send scan-ext 12 $D3 --server 0x0004\n
expect scan-ext running in the background.*\r\nmeshrpr> \$
send run 14\n
expect server 0x0004: $D3: uri "https://meshrpr.example/dev-3", name "dev-3"
expect meshrpr> \$
send devices\n
expect $D3 0x0004  -[0-9]+ +[0-9.]+ +oob on device
expect $D3 0x0004  -[0-9]+ +[0-9.]+ +uri "https://meshrpr.example/dev-3", name "dev-3"
expect meshrpr> \$
send scan-ext 2 $D1 --server 0x0002\n
expect scan-ext running in the background.*\r\nmeshrpr> \$
send run 6\n
expect server 0x0002 did not find $D1 within 2 s
expect meshrpr> \$
send reprovision 0x0005 --procedure key\n
expect reprovision running in the background.*\r\nmeshrpr> \$
send link-get --server 0x0005\n
expect server 0x0005: link status success, state active\r\nmeshrpr> \$
send run 10\n
expect device key refresh of 0x0005 done in [0-9.]+ s: now 0x0005 with a new device key
expect virtual time [0-9.]+ s\r\nmeshrpr> \$
send reprovision 0x0006 --procedure composition\n
expect reprovision running in the background.*\r\nmeshrpr> \$
send run 10\n
expect node composition refresh of 0x0006 done in [0-9.]+ s: now 0x0006 with a new device key
expect 0x0006 answers Composition Data Get with the new key: 1 element, 4 models
expect virtual time [0-9.]+ s\r\nmeshrpr> \$
send reprovision 0x0007 --procedure keys\n
expect bad --procedure "keys" \(key, composition or address\)\r\nmeshrpr> \$
send reprovision 0x0007 --procedure address 0x0030\n
expect reprovision running in the background.*\r\nmeshrpr> \$
send run 10\n
expect node address refresh of 0x0007 done in [0-9.]+ s: now 0x0030 with a new device key
expect virtual time [0-9.]+ s\r\nmeshrpr> \$
send nodes\n
expect 0x0030 +2 +$D2 +dev-2 +device
expect 7 nodes in the database\r\nmeshrpr> \$
send quit\n
exit 1
EOT
pty_session pty.txt pty.out "$M" --world $W shell --speed 0
# help listed what the shell accepts, and only that.
python3 -c 'import sys
t = open(sys.argv[1]).read().replace("\r", "")
h = t.split("meshrpr> help\n", 1)[1].split("meshrpr> ", 1)[0]
for c in ("discover", "provision", "reprovision", "devices", "target", "db-import", "ttl-get"):
    assert "\n  " + c + " " in h, c
for c in ("world", "demo", "shell"):
    assert "\n  " + c + " " not in h, c' pty.out || fail "help in the shell lists the wrong commands"
# The shell saved it all.
run 0 "$M" --world $W nodes
expect out.txt "^0x0030 +2 +$D2 +dev-2 +device$"
no_raw_errno pty.out
echo PASS
