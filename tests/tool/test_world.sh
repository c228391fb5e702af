#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The meshrpr tool on a world file, one invocation per command as a user runs them: world new,
# scan through a server two hops away, provision-remote (Output OOB, the user typing what the
# device shows), reprovision-remote (NPPI: its success when the build has NPPI, the honest
# "not available yet" and an untouched world when it has not), link-get, nodes; the shell
# through a pipe; and the errors: bad arguments, an unknown server and corrupted world files
# each give a clear message and an exit code, and leave every file byte-identical.
#
# Usage: test_world.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
W=building.json

# ---- world new: a provisioner, 3 servers (0x0002, 0x0003 one hop, 0x0004 two hops), 3 devices
run 0 "$M" world new $W --seed 5 --servers 3 --devices 3
expect out.txt '^created building.json: provisioner 0x0001, 3 servers \(0x0002\.\.0x0004\), 3 unprovisioned devices'
json_ok $W
expect $W '"meshrpr_world":[[:space:]]*1'
# The database's timestamp (MshCDB: its last change): SOURCE_DATE_EPOCH when set (CTest sets
# 1796601600), the host's UTC clock otherwise; a save without a change keeps it.
if [ "${SOURCE_DATE_EPOCH:-}" = 1796601600 ]; then
    expect $W '"timestamp":[[:space:]]*"2026-12-07T00:00:00Z"'
fi
YEAR=$(date -u +%Y)
run 0 env -u SOURCE_DATE_EPOCH "$M" world new clock.json --seed 5 --servers 1 --devices 1
expect clock.json "\"timestamp\":[[:space:]]*\"$YEAR-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\""
expect_not clock.json '"timestamp":[[:space:]]*"1970-'
run 0 env SOURCE_DATE_EPOCH=0 "$M" --world clock.json db-export clock-db.json
expect_not clock-db.json '"timestamp":[[:space:]]*"1970-'
expect clock-db.json "\"timestamp\":[[:space:]]*\"$YEAR-"
run 0 env SOURCE_DATE_EPOCH=86400 "$M" --world clock.json --node 0x0002 node-remove
expect clock.json '"timestamp":[[:space:]]*"1970-01-02T00:00:00Z"'
cp $W before.json
run 2 "$M" world new $W
expect err.txt 'building.json exists \(use --force to replace it\)'
same $W before.json

run 0 "$M" --world $W nodes
expect out.txt '^0x0001 +1 +[0-9a-f]{32} +provisioner +provisioner$'
expect out.txt '^0x0004 +1 +[0-9a-f]{32} +srv-3 +server$'
expect out.txt '^4 nodes in the database$'

# ---- scan: the device beside srv-3 (two hops away) is out of the provisioner's range
run 0 "$M" --world $W --server 0x0004 scan 10
expect out.txt '^server 0x0004: scan status success, state multiple devices, max devices 4, 10 s left$'
expect out.txt '^  [0-9a-f]{32}  rssi -[0-9]+ dBm, oob on device'
expect out.txt '^1 device found$'
UUID=$(awk '/ rssi / {print $1; exit}' out.txt)
[ ${#UUID} -eq 32 ] || fail "no UUID in the scan output"
run 0 "$M" --world $W devices
expect out.txt "^$UUID 0x0004 +-[0-9]+ +[0-9.]+ +oob on device"

# ---- provision-remote: --server defaults to the server that found the device
run 0 "$M" --world $W --pcap prov.pcap --cdb cdb.json provision-remote "$UUID" 0 0
expect out.txt "^provisioned $UUID as 0x0005 \(1 element\) through 0x0004 in [0-9]+\.[0-9]{3} s, authenticated with Output OOB$"
[ -s prov.pcap ] || fail "no capture written"
json_ok cdb.json
expect cdb.json '"unicastAddress":[[:space:]]*"0005"'
cp $W before.json
# Found before any radio work: a usage error (exit 2), nothing sent.
run 2 "$M" --world $W --server 0x0004 provision-remote "$UUID" 0 0
expect err.txt 'the device is already in the node database, as 0x0005'
same $W before.json

# ---- link-get: the link closed after the provisioning
run 0 "$M" --world $W --server 0x0004 link-get
expect out.txt '^server 0x0004: link status success, state idle$'

# ---- reprovision-remote (NPPI). The features command probes it in a network of its own; the
# success branch runs as soon as the build has NPPI.
run 0 "$M" features --json
json_ok out.txt
ADDR=0x0005
if grep -Eq '"nppi":[[:space:]]*true' out.txt; then
    run 0 "$M" --world $W --server 0x0005 reprovision-remote 0x0005
    expect out.txt '^device key refresh of 0x0005 done in [0-9.]+ s: now 0x0005 with a new device key$'
    expect out.txt '^0x0005 answers Composition Data Get with the new key: 1 element, 3 models$'
    run 0 "$M" --world $W --server 0x0005 reprovision-remote 0x0010 --json
    json_ok out.txt
    expect out.txt '"procedure":[[:space:]]*"node address refresh"'
    expect out.txt '"addr":[[:space:]]*16,'
    expect out.txt '"answers_with_new_key":[[:space:]]*true'
    ADDR=0x0010
else
    cp $W before.json
    run 4 "$M" --world $W --server 0x0005 reprovision-remote 0x0005
    expect err.txt 'NPPI re-provisioning is not available yet in this build'
    same $W before.json
fi

# ---- nodes: the database holds the device (at its address after any NPPI)
run 0 "$M" --world $W nodes
expect out.txt "^$ADDR +1 +$UUID +dev-3 +device$"
expect out.txt '^5 nodes in the database$'
run 0 "$M" --world $W nodes --json
json_ok out.txt
expect out.txt '"dev_key":[[:space:]]*"[0-9a-f]{32}"'
run 0 "$M" --world $W keys --tshark
expect out.txt '^-o uat:btmesh_nw_keys:"0x[0-9a-f]{32}","0x[0-9a-f]{32}","0x00000000"'

# ---- errors: a clear message, exit code 2, the world untouched
cp $W before.json
run 2 "$M" --world $W --server 0x0004 scan abc
expect err.txt '^meshrpr: bad TIMEOUT "abc" \(seconds, 1\.\.255\)$'
run 2 "$M" --world $W scan 10
expect err.txt 'scan needs --server ADDR'
run 2 "$M" --world $W --server 0x0042 scan 5
expect err.txt "unknown server 0x0042: no node with that primary address in the provisioner's database"
run 2 "$M" --world $W --server zz scan 5
expect err.txt 'bad --server "zz"'
run 2 "$M" --world $W --server 0x0004 provision-remote not-hex 0 0
expect err.txt 'bad UUID "not-hex"'
run 2 "$M" --world $W --server 0x0004 provision-remote "$UUID" 0 0x8000
expect err.txt 'bad ADDR "0x8000"'
run 2 "$M" --world $W --server 0x0004 scan-ext 5 "$UUID" 0x08
expect err.txt 'AD type 0x08 may not be asked for'
run 2 "$M" --world $W --frobnicate nodes
expect err.txt 'unknown option --frobnicate'
run 2 "$M" --world $W nodes extra
expect err.txt 'too many arguments for nodes'
run 2 "$M" --world $W --server 0x0004 --devices 3 link-get
expect err.txt 'option --devices does not apply to link-get'
run 2 "$M" --world $W frobnicate
expect err.txt 'unknown command "frobnicate"'
run 2 "$M" --server 0x0004 scan 5
expect err.txt 'scan needs a world: meshrpr --world FILE'
same $W before.json

# ---- corrupted worlds: refused with exit code 3, nothing written
head -c 2000 $W >truncated.json
cp truncated.json saved.json
run 3 "$M" --world truncated.json --server 0x0004 scan 5
expect err.txt 'truncated.json: line [0-9]+, column [0-9]+: malformed JSON'
same truncated.json saved.json
sed 's/"role":[[:space:]]*"server"/"role": "toaster"/' $W >badrole.json
cp badrole.json saved.json
run 3 "$M" --world badrole.json --server 0x0004 link-get
expect err.txt 'badrole.json: nodes\[1\]\.role: not provisioner, server or device'
same badrole.json saved.json
sed 's/"net\/seq":[[:space:]]*"\([0-9a-f]*\)"/"net\/seq": "\1x"/' $W >badstore.json
cp badstore.json saved.json
run 3 "$M" --world badstore.json nodes
expect err.txt 'badstore.json: nodes\[0\]\.storage: "net/seq": not a hex string'
same badstore.json saved.json
printf 'not a world\n' >garbage.json
run 3 "$M" --world garbage.json nodes
expect err.txt 'garbage.json: line 1, column 1: malformed JSON'
run 3 "$M" --world missing.json nodes
expect err.txt 'cannot open missing.json: No such file or directory'
same $W before.json

# ---- the shell, commands from a pipe, on one running network
printf 'scan-caps --server 0x0002\nscan-get --server 0x0002\nscan-srv --server 0x0003\nlink-get --server 0x0004\n\n# a comment\nnodes\nquit\n' |
    "$M" --world $W shell >out.txt 2>err.txt || fail "the shell failed: $(cat err.txt)"
expect out.txt '^meshrpr> scan-caps --server 0x0002$'
expect out.txt '^server 0x0002: scans up to 4 devices, active scanning supported$'
expect out.txt '^server 0x0002: scan status success, state idle'
expect out.txt '^server 0x0003: its own information: name "srv-2"$'
expect out.txt '^server 0x0004: link status success, state idle$'
expect out.txt '^5 nodes in the database$'
cp $W before.json
printf 'scan abc --server 0x0002\n' | "$M" --world $W shell >out.txt 2>err.txt && fail "a failing shell command must fail the shell"
expect err.txt 'bad TIMEOUT "abc"'

# ---- virtual time moved on across the invocations
expect $W '"time_ms":[[:space:]]*[1-9][0-9]*,'
expect $W '"generation":[[:space:]]*[1-9][0-9]*,'
no_raw_errno
echo PASS
