#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the meshrpr tool knows before any radio work is refused before it, with a message in
# words, in separate invocations, through the shell from a pipe and through the shell on a
# pseudo-terminal: a full node database (no world holds 64 simulated nodes, but the database
# needs none: the test writes a Mesh CDB JSON with 64 nodes and db-imports it), an address
# outside the provisioner's unicast range, a range with no free address left, an occupied
# address; and a device whose elements do not fit at ADDR, found as soon as its Provisioning
# Capabilities say how many it has. "Before any radio work": the world file stays byte-identical (its virtual time did
# not move), and the capture of a refused command holds no packet. Removing one node makes
# room again: the same provisioning then succeeds.
#
# Usage: test_prechecks.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
W=w.json
# refused PATTERN CMD...: exit code 2, stderr matches, the world stays byte-identical.
refused() {
    pat=$1
    shift
    cp $W before.json
    run 2 "$@"
    expect err.txt "$pat"
    expect_not err.txt '[(]-?[0-9]+[)]'
    same $W before.json
}
# db_with OUT NODES HIGH: the world's database (db.json) with fake nodes added at 0x0100.. up to
# NODES nodes in all, and the provisioner's unicast range 0x0001..HIGH.
db_with() {
    python3 - db.json "$1" "$2" "$3" <<'EOF'
import copy, json, sys
d = json.load(open(sys.argv[1]))
want, high = int(sys.argv[3]), sys.argv[4]
tmpl = d["nodes"][1]
i = 0
while len(d["nodes"]) < want:
    n = copy.deepcopy(tmpl)
    n["UUID"] = "00000000-0000-4000-8000-%012X" % (i + 1)
    n["unicastAddress"] = "%04X" % (0x0100 + i)
    n["deviceKey"] = "%032X" % (0x5000 + i)
    d["nodes"].append(n)
    i += 1
d["provisioners"][0]["allocatedUnicastRange"] = [{"lowAddress": "0001", "highAddress": high}]
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
    [ -s "$1" ] || fail "could not write $1"
}

run 0 "$M" world new $W --seed 5 --servers 3 --devices 3 --near 1
run 0 "$M" --world $W --server 0x0004 scan 5
UUID=$(awk '/ rssi / {print $1; exit}' out.txt)
[ ${#UUID} -eq 32 ] || fail "no UUID in the scan"
BENCH=$(uuid_of $W bench-1)
run 0 "$M" --world $W db-export db.json
cp $W fresh.json

# ---- A full node database: 64 nodes (MESHRPR_CDB_NODE_COUNT, its default).
db_with full.json 64 7FFF
run 0 "$M" --world $W db-import full.json
expect out.txt '^database of 64 nodes imported from full.json$'
FULL='the node database is full \(64 nodes, MESHRPR_CDB_NODE_COUNT\): remove a node first \(node-remove\)'
refused "$FULL" "$M" --world $W provision-remote "$UUID" 0 0
refused "$FULL" "$M" --world $W --server 0x0004 --pcap full.pcap provision-remote "$UUID" 0 0x0030
refused "$FULL" "$M" --world $W provision "$BENCH" 0 0
# The capture of the refused command holds the pcap header alone: nothing was sent.
[ ! -e full.pcap ] || [ "$(wc -c <full.pcap)" -le 24 ] || fail "a refused command sent packets"
run 2 "$M" --world $W --json provision-remote "$UUID" 0 0
json_ok out.txt
expect out.txt '"error":[[:space:]]*"the node database is full'
# Through the shell, from a pipe: refused there too, the world unchanged.
cp $W before.json
printf 'provision-remote %s 0 0\nprovision %s 0 0\nnodes\n' "$UUID" "$BENCH" |
    "$M" --world $W shell >out.txt 2>err.txt && fail "the refused lines must fail the shell"
[ "$(grep -c 'the node database is full' err.txt)" = 2 ] || fail "the shell did not refuse both"
expect out.txt '^64 nodes in the database$'
expect_not out.txt 'running in the background'
same $W before.json
# One node fewer: room again, and the same provisioning succeeds.
run 0 "$M" --world $W --node 0x013b node-remove
run 0 "$M" --world $W provision-remote "$UUID" 0 0x0030
expect out.txt "^provisioned $UUID as 0x0030 \(1 element\) through 0x0004"
run 0 "$M" --world $W nodes
expect out.txt '^64 nodes in the database$'

# ---- The provisioner's unicast range: 0x0001..0x0006 (0x0005 and 0x0006 free).
cp fresh.json $W
db_with r6.json 4 0006
run 0 "$M" --world $W db-import r6.json
OUTSIDE="ADDR 0x0010 is outside the provisioner's unicast range 0x0001\.\.0x0006"
refused "$OUTSIDE" "$M" --world $W provision-remote "$UUID" 0 0x0010
refused "$OUTSIDE" "$M" --world $W reprovision 0x0004 --procedure address 0x0010
refused 'ADDR 0x0003 is taken: it is the primary address of node 0x0003 \(srv-2\)' \
    "$M" --world $W provision-remote "$UUID" 0 0x0003
refused 'ADDR 0x0002 is taken' "$M" --world $W reprovision 0x0004 --procedure address 0x0002
# 0x0001..0x0004: every address of the range is taken.
db_with r4.json 4 0004
run 0 "$M" --world $W db-import r4.json
NOFREE="no unicast address is free in the provisioner's range 0x0001\.\.0x0004"
refused "$NOFREE" "$M" --world $W provision-remote "$UUID" 0 0
refused "$NOFREE" "$M" --world $W provision "$BENCH" 0 0
refused "$NOFREE" "$M" --world $W reprovision 0x0004 --procedure address 0
cp $W r4-world.json

# ---- A device whose elements do not fit at ADDR: its element count comes only with its
# Provisioning Capabilities, so the link opens, but the provisioner stops right after them (in
# well under the time of a provisioning), and says so in words, not "out of resources".
cp fresh.json $W
D1=$(uuid_of $W dev-1)
D2=$(uuid_of $W dev-2)
run 0 "$M" --world $W discover 3
run 0 "$M" --world $W provision-remote "$D1" 0 0x0006
NOFIT='its elements do not fit: one free address each, from the one asked for on, inside 0x0001\.\.0x7fff'
run 1 "$M" --world $W provision-remote "$D2" 0 0x0005
expect err.txt "provisioning $D2 through 0x0003 failed: $NOFIT"
expect_not err.txt 'out of resources'
run 1 "$M" --world $W --json provision-remote "$D2" 0 0x7fff
json_objects out.txt 'assert objs[0]["time_ms"] < 1500, objs[0]["time_ms"]
assert objs[0]["result"].startswith("its elements do not fit"), objs[0]'
printf 'provision-remote %s 0 0x0005\nrun 5\nprovision-remote %s 0 0x0007\nrun 10\n' "$D2" "$D2" |
    "$M" --world $W shell >out.txt 2>err.txt && fail "the shell's failed provisioning must fail it"
expect err.txt "provisioning $D2 through 0x0003 failed: $NOFIT"
expect out.txt "^provisioned $D2 as 0x0007 \(2 elements\) through 0x0003"
run 1 "$M" --world $W reprovision 0x0007 --procedure address 0x7fff
expect err.txt "node address refresh of 0x0007 failed: $NOFIT \(the database is unchanged\)"
cp $W nofit.json

# ---- The same, through the shell on a pseudo-terminal (as a person types them).
run 0 "$M" --world nofit.json db-export nofit-db.json
cp r4-world.json $W
cp $W before.json
cat >pty.txt <<EOT
expect meshrpr> \$
send provision-remote $UUID 0 0\n
expect no unicast address is free in the provisioner's range 0x0001\.\.0x0004\r\nmeshrpr> \$
send db-import r6.json\n
expect database of 4 nodes imported from r6.json\r\nmeshrpr> \$
send provision-remote $UUID 0 0x0010\n
expect ADDR 0x0010 is outside the provisioner's unicast range 0x0001\.\.0x0006\r\nmeshrpr> \$
send provision-remote $UUID 0 0x0002\n
expect ADDR 0x0002 is taken: it is the primary address of node 0x0002 \(srv-1\).*\r\nmeshrpr> \$
send reprovision 0x0004 --procedure address 0x0003\n
expect ADDR 0x0003 is taken.*\r\nmeshrpr> \$
send db-import full.json\n
expect database of 64 nodes imported from full.json\r\nmeshrpr> \$
send provision-remote $UUID 0 0\n
expect the node database is full \(64 nodes, MESHRPR_CDB_NODE_COUNT\).*\r\nmeshrpr> \$
send provision $BENCH 0 0\n
expect the node database is full.*\r\nmeshrpr> \$
send nodes\n
expect 64 nodes in the database\r\nmeshrpr> \$
send db-import nofit-db.json\n
expect database of 6 nodes imported from nofit-db.json\r\nmeshrpr> \$
send node-remove --node 0x0007\n
expect meshrpr> \$
send provision-remote $D2 0 0x0005 --server 0x0003\n
expect provision-remote running in the background.*\r\nmeshrpr> \$
send run 5\n
expect provisioning $D2 through 0x0003 failed: its elements do not fit: one free address each
expect meshrpr> \$
send quit\n
exit 1
EOT
pty_session pty.txt pty.out "$M" --world $W shell --speed 0
# Only the provisioning that passed the checks started (the one whose elements did not fit).
[ "$(grep -c 'running in the background' pty.out)" = 1 ] || fail "a refused command started"
no_raw_errno pty.out
echo PASS
