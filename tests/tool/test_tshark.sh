#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Wireshark reads a demo capture: tshark opens it without a word on stderr, decodes the PB-ADV
# provisioning PDUs, and, given the keys of the demo's database (meshrpr keys FILE --tshark),
# decrypts network PDUs and access messages (Configuration messages with device keys), with
# not one malformed packet. Without the keys nothing decrypts, so the keys are what matter.
# tshark runs two passes (-2): its Bluetooth Mesh dissector reassembles segmented messages only
# then without flagging the repeated segments a mesh always sends (Network Transmit, relays).
#
# Usage: test_tshark.sh MESHRPR_BINARY WORK_DIR TSHARK
set -u
M=$1
DIR=$2
TSHARK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1

run 0 "$M" demo --seed 1 --pcap demo.pcap --cdb demo.json
run 0 "$M" keys demo.json --tshark
KEYS=$(cat out.txt)
expect out.txt '^-o uat:btmesh_nw_keys:"0x[0-9a-f]{32}","0x[0-9a-f]{32}","0x[0-9a-f]{8}"( -o uat:btmesh_dev_keys:"0x[0-9a-f]{32}","0x[0-9a-f]{4}")+$'

# Opens with no warning (tshark's notice about running as root aside).
# shellcheck disable=SC2086 # KEYS is a list of words on purpose
run 0 "$TSHARK" -2 -r demo.pcap $KEYS
grep -v '^Running as user' err.txt >warnings.txt
[ -s warnings.txt ] && fail "tshark printed: $(cat warnings.txt)"
mv out.txt decoded.txt
expect decoded.txt 'Unprovisioned Device Beacon'

# PB-ADV provisioning PDUs.
# shellcheck disable=SC2086
run 0 "$TSHARK" -2 -r demo.pcap $KEYS -Y 'pbadv && provisioning'
for pdu in Invite Capabilities Start 'Public Key' Confirmation Random Data Complete; do
    expect out.txt "Provisioning $pdu PDU"
done

# Decrypted access messages: Composition Data Get and Status with the device keys.
# shellcheck disable=SC2086
run 0 "$TSHARK" -2 -r demo.pcap $KEYS -Y 'btmesh.access.decrypted && btmesh.model.opcode == 0x8008'
expect out.txt 'Config Composition Data Get'
# shellcheck disable=SC2086
run 0 "$TSHARK" -2 -r demo.pcap $KEYS -Y 'btmesh.model.opcode == 0x0002'
expect out.txt 'Config Composition Data Status'

# Not one malformed packet.
# shellcheck disable=SC2086
run 0 "$TSHARK" -2 -r demo.pcap $KEYS -Y '_ws.malformed'
[ -s out.txt ] && fail "malformed packets: $(head -5 out.txt)"

# Without the keys, no access message decrypts.
run 0 "$TSHARK" -2 -r demo.pcap -Y 'btmesh.access.decrypted'
[ -s out.txt ] && fail "access messages decrypted without keys?"
echo PASS
