#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The meshrpr tool's error paths, each in its own invocation: what can be known before any
# radio work is refused before it (exit 2, the world byte-identical): an occupied address, an
# address outside the provisioner's range, an unknown NetKey, a device already in the
# database, an unknown server, an NPPI address refresh onto a taken address, a bad or
# contradicting --procedure; outputs that cannot be written are refused before the work
# (demo --cdb to a missing directory prints no success); demo sizes agree (what --devices
# accepts, the suggested --servers accepts too, and the largest accepted building passes);
# devices shows the RSSI of the Scan Report on Extended Scan rows; and no message carries a
# raw errno number.
#
# Usage: test_errors.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
W=w.json
: >all-err.txt
# refused CODE PATTERN CMD...: the world stays byte-identical and stderr matches.
refused() {
    code=$1
    pat=$2
    shift 2
    cp $W before.json
    run "$code" "$@"
    cat err.txt >>all-err.txt
    expect err.txt "$pat"
    same $W before.json
}

run 0 "$M" world new $W --seed 5 --servers 3 --devices 3
run 0 "$M" --world $W --server 0x0004 scan 5
UUID=$(awk '/ rssi / {print $1; exit}' out.txt)
RSSI=$(awk '/ rssi / {print $3; exit}' out.txt)

refused 2 'ADDR 0x0002 is taken: it is the primary address of node 0x0002 \(srv-1\)' \
    "$M" --world $W provision-remote "$UUID" 0 0x0002
refused 2 'no NetKey with index 5 in the database' "$M" --world $W provision-remote "$UUID" 5 0
refused 2 'unknown server 0x0042' "$M" --world $W --server 0x0042 provision-remote "$UUID" 0 0
refused 2 'bad ADDR "0x8000"' "$M" --world $W provision-remote "$UUID" 0 0x8000
run 0 "$M" --world $W provision-remote "$UUID" 0 0x0020
refused 2 'the device is already in the node database, as 0x0020' \
    "$M" --world $W provision-remote "$UUID" 0 0
refused 2 'ADDR 0x0003 is taken' "$M" --world $W reprovision 0x0020 --procedure address 0x0003
refused 2 'bad --procedure "keys" \(key, composition or address\)' \
    "$M" --world $W reprovision 0x0020 --procedure keys
refused 2 '--procedure address needs NEW_ADDR' "$M" --world $W reprovision 0x0020 --procedure address
refused 2 '--procedure key takes no NEW_ADDR' "$M" --world $W reprovision 0x0020 --procedure key 5
refused 2 '--procedure key keeps the address' \
    "$M" --world $W --server 0x0020 reprovision-remote 0x0021 --procedure key
refused 2 'unknown server 0x0030' "$M" --world $W reprovision 0x0030 --procedure key

# Outputs checked before the work.
refused 2 'cannot write --cdb missing/x.json: no such directory \(nothing was run\)' \
    "$M" --world $W --cdb missing/x.json run 1
run 2 "$M" demo --cdb missing/x.json
expect err.txt 'cannot write --cdb missing/x.json: no such directory'
expect_not out.txt 'result: success'
[ -s out.txt ] && fail "demo printed output before refusing its --cdb"
run 2 "$M" demo --pcap missing/x.pcap --json
json_ok out.txt
expect out.txt '"error":[[:space:]]*"cannot write --pcap missing/x.pcap'

# Demo and world sizes agree with each other and with what passes.
run 2 "$M" demo --devices 25
expect err.txt 'bad --devices \(1\.\.24\)'
run 2 "$M" world new x.json --devices 25
expect err.txt 'bad --devices \(0\.\.24\)'
run 2 "$M" demo --devices 9 --servers 2
expect err.txt '--devices 9 needs --servers 3 or more'
run 0 "$M" world new x.json --devices 9 --servers 3
run 2 "$M" demo --devices 24 --servers 7
expect err.txt 'with 7 servers at most 23 devices'
run 0 "$M" demo --devices 24 --servers 6 --seed 1
expect out.txt '^24/24 devices provisioned remotely'
expect out.txt '^result: success$'

# An Extended Scan Report has no RSSI of its own: devices shows the Scan Report's.
run 0 "$M" world new e.json --seed 5 --servers 3 --devices 3
run 0 "$M" --world e.json --server 0x0004 scan 5
U2=$(awk '/ rssi / {print $1; exit}' out.txt)
R2=$(awk '/ rssi / {print $3; exit}' out.txt)
run 0 "$M" --world e.json --server 0x0004 scan-ext 5 "$U2"
run 0 "$M" --world e.json devices
[ "$(grep -Ec "^$U2 0x0004 +$R2 " out.txt)" = 2 ] || fail "the extended scan row lacks RSSI $R2"
expect out.txt "^$U2 0x0004 +$R2 +[0-9.]+ +(uri|name)"
expect_not out.txt "^$U2 0x0004 +0 "

# No message is a bare errno number.
if grep -Eq '\(-?[0-9]+\)$|\(-[0-9]+\)' all-err.txt; then
    cat all-err.txt >&2
    fail "a message carries a raw errno value"
fi
[ -n "$RSSI" ] || fail "no RSSI in the first scan"
no_raw_errno
echo PASS
