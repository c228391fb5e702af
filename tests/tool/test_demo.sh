#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `meshrpr demo` with one seed and one loss rate: it must succeed (every device provisioned
# remotely, every NPPI procedure when the build has NPPI, every node answering with its
# current device key), and a second run with the same seed must print the same text and write
# the same capture and database, byte for byte (virtual time only). The JSON form must be valid
# and say ok, with the progress on stderr.
#
# Usage: test_demo.sh MESHRPR_BINARY WORK_DIR SEED LOSS
set -u
M=$1
DIR=$2
SEED=$3
LOSS=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1

run 0 "$M" demo --seed "$SEED" --loss "$LOSS" --pcap a.pcap --cdb a.json
mv out.txt a.txt
expect a.txt "^meshrpr demo: remote provisioning in a simulated building \(seed $SEED, 6 servers, 6 devices"
expect a.txt '^\[ +[0-9]+\.[0-9]{3} s\] scanning through every server for 10 s'
expect a.txt '^6/6 devices provisioned remotely; NPPI (every procedure succeeded|skipped \(not available yet\)); 13/13 nodes answer with their current device key$'
expect a.txt '^result: success$'
expect_not a.txt 'FAILED'
[ -s a.pcap ] || fail "no capture"
json_ok a.json

run 0 "$M" demo --seed "$SEED" --loss "$LOSS" --pcap b.pcap --cdb b.json
sed 's/capture in b\.pcap/capture in a.pcap/' out.txt >b.txt
same a.txt b.txt
same a.pcap b.pcap
same a.json b.json

run 0 "$M" demo --seed "$SEED" --loss "$LOSS" --json
json_ok out.txt
expect out.txt '"ok":[[:space:]]*true'
expect out.txt '"command":[[:space:]]*"demo"'
expect err.txt 'scanning through every server'
echo PASS
