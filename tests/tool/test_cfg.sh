#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Configuration Client commands of the meshrpr tool on a remotely provisioned device, each
# in its own invocation and through the shell (with the target standing in for --node): the
# states it reads and sets, AppKeys, bindings and subscriptions of its Generic OnOff Server;
# the errors (an unknown node, a bad TTL, a model it does not have, no --node) in words; and
# the database: db-export writes Mesh CDB JSON, node-remove forgets a node, db-import of the
# export brings it back, a database of another network is refused, node-reset makes the node
# leave (it beacons as unprovisioned again). Then the same commands through the shell on a
# pseudo-terminal.
#
# Usage: test_cfg.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
W=w.json


run 0 "$M" world new $W --seed 5 --servers 3 --devices 3
run 0 "$M" --world $W --server 0x0004 scan 5
UUID=$(awk '/ rssi / {print $1; exit}' out.txt)
run 0 "$M" --world $W provision-remote "$UUID" 0 0x0005
N="--node 0x0005"

# The same checks and commands inside the shell: NPPI with the procedure named, the export,
# and errors found before any radio work.
printf 'reprovision 0x0005 --procedure key\ndb-export shell-db.json\nreprovision 0x0005 --procedure address 0x0002\nprovision-remote %s 0 0\nttl-get --node 0x0042\n' "$UUID" |
    "$M" --world $W shell >out.txt 2>err.txt && fail "the failing shell lines must fail the shell"
expect out.txt '^device key refresh of 0x0005 done in [0-9.]+ s: now 0x0005 with a new device key$'
expect out.txt '^database \(5 nodes\) written to shell-db.json as Mesh CDB JSON$'
json_ok shell-db.json
expect err.txt 'ADDR 0x0002 is taken: it is the primary address of node 0x0002 \(srv-1\)'
expect err.txt 'the device is already in the node database, as 0x0005'
expect err.txt 'unknown node 0x0042'

run 0 "$M" --world $W $N composition-get
expect out.txt '^0x0005: Composition Data page 0: CID 0x[0-9a-f]{4} PID 0x[0-9a-f]{4} VID 0x[0-9a-f]{4} CRPL [0-9]+, features 0x[0-9a-f]{4}, 1 element, 3 models$'
run 0 "$M" --world $W $N ttl-set 9
expect out.txt '^0x0005: Default TTL 9$'
run 0 "$M" --world $W $N ttl-get
expect out.txt '^0x0005: Default TTL 9$'
run 0 "$M" --world $W $N beacon-set off
expect out.txt '^0x0005: Secure Network Beacon disabled$'
run 0 "$M" --world $W $N beacon-get
expect out.txt '^0x0005: Secure Network Beacon disabled$'
run 0 "$M" --world $W --node 0x0004 relay-set on 3 40
expect out.txt '^  Relay Retransmit: 3 retransmissions, 40 ms apart$'
run 0 "$M" --world $W --node 0x0004 relay-get
expect out.txt '^0x0004: Relay enabled$'
run 1 "$M" --world $W $N relay-set on
expect err.txt '0x0005 does not support relaying'
run 0 "$M" --world $W $N net-transmit-set 1 30
expect out.txt '^  transmissions: 1 retransmission, 30 ms apart$'
run 0 "$M" --world $W $N netkey-get
expect out.txt '^0x0005: NetKeys: 0x000$'
run 0 "$M" --world $W $N appkey-add 0
expect out.txt '^0x0005: AppKey 0x000 added \(bound to NetKey 0x000\)$'
run 0 "$M" --world $W $N appkey-get --json
json_ok out.txt
expect out.txt '"app_keys":[[:space:]]*\[0\]'
run 0 "$M" --world $W $N net-transmit-get
expect out.txt '^  transmissions: 1 retransmission, 30 ms apart$'
run 0 "$M" --world $W $N appkey-del 0
expect out.txt '^0x0005: AppKey 0x000 deleted$'
run 0 "$M" --world $W $N appkey-get
expect out.txt '^0x0005: AppKeys of NetKey 0x000: none$'
run 0 "$M" --world $W $N appkey-add 0
run 0 "$M" --world $W $N bind 0x0005 0 0x1000
expect out.txt '^0x0005: model 0x1000 on element 0x0005 bound to AppKey 0x000$'
run 0 "$M" --world $W $N unbind 0x0005 0 0x1000
expect out.txt '^0x0005: model 0x1000 on element 0x0005 unbound from AppKey 0x000$'
run 0 "$M" --world $W $N mod-appkey-get 0x0005 0x1000
expect out.txt '^0x0005: AppKeys bound to model 0x1000 on 0x0005: none$'
run 0 "$M" --world $W $N bind 0x0005 0 0x1000
run 0 "$M" --world $W $N mod-appkey-get 0x0005 0x1000
expect out.txt '^0x0005: AppKeys bound to model 0x1000 on 0x0005: 0x000$'
run 0 "$M" --world $W $N sub-add 0x0005 0xc001 0x1000
run 0 "$M" --world $W $N sub-get 0x0005 0x1000
expect out.txt '^0x0005: subscriptions of model 0x1000 on 0x0005: 0xc001$'
run 0 "$M" --world $W $N sub-del 0x0005 0xc001 0x1000
run 0 "$M" --world $W $N sub-get 0x0005 0x1000
expect out.txt 'on 0x0005: none$'
run 0 "$M" --world $W $N krp-get
expect out.txt '^0x0005: NetKey 0x000 in Key Refresh phase 0$'
run 0 "$M" --world $W $N friend-get
expect out.txt '^0x0005: Friend (enabled|disabled|not supported)$'
run 0 "$M" --world $W $N proxy-get
expect out.txt '^0x0005: GATT Proxy (enabled|disabled|not supported)$'

# Errors, in words.
cp $W before.json
run 2 "$M" --world $W --node 0x0042 ttl-get
expect err.txt 'unknown node 0x0042: no node with that primary address in the database'
run 2 "$M" --world $W $N ttl-set 1
expect err.txt 'bad TTL "1" \(0, or 2\.\.127\)'
run 2 "$M" --world $W ttl-get
expect err.txt 'ttl-get needs --node ADDR'
run 2 "$M" --world $W $N bind 0x0009 0 0x1000
expect err.txt 'bad ELEM_ADDR "0x0009" \(an element address of 0x0005: 0x0005\.\.0x0005\)'
run 2 "$M" --world $W $N appkey-add 7
expect err.txt 'no AppKey with index 7 in the database'
same $W before.json
run 1 "$M" --world $W $N --json bind 0x0005 0 0x1300
json_ok out.txt
expect out.txt '"status":[[:space:]]*"invalid model"'
expect err.txt 'Model App Bind: 0x0005 answered invalid model \(0x02\)'

# The shell: the target is the node of Configuration Client commands.
printf 'target 0x0005\nttl-get\nttl-set 12\ncomposition-get\n' | "$M" --world $W shell >out.txt 2>err.txt ||
    fail "the shell failed: $(cat err.txt)"
expect out.txt '^0x0005: Default TTL 9$'
expect out.txt '^0x0005: Default TTL 12$'
expect out.txt '^0x0005: Composition Data page 0'

# Each Configuration Client command, node removal and the database through the shell on a
# pseudo-terminal, at --speed 0 (time moves only with the requests, the session is the same on
# a loaded machine). The target stands in for --node; the errors read as in an invocation.
run 0 "$M" world new other.json --seed 6 --servers 1 --devices 0
run 0 "$M" --world other.json db-export other-db.json
cat >pty.txt <<'EOT'
expect meshrpr> $
send ttl-get\n
expect ttl-get needs --node ADDR \(a node of the database\)\r\nmeshrpr> $
send target 0x0005\n
expect target 0x0005: commands without --server go through it\r\nmeshrpr> $
send composition-get\n
expect 0x0005: Composition Data page 0: CID 0x[0-9a-f]{4} PID 0x[0-9a-f]{4} VID 0x[0-9a-f]{4} CRPL [0-9]+, features 0x[0-9a-f]{4}, 1 element, 3 models\r\nmeshrpr> $
send beacon-set on\n
expect 0x0005: Secure Network Beacon enabled\r\nmeshrpr> $
send beacon-get\n
expect 0x0005: Secure Network Beacon enabled\r\nmeshrpr> $
send ttl-set 1\n
expect bad TTL "1" \(0, or 2\.\.127\)\r\nmeshrpr> $
send ttl-set 7\n
expect 0x0005: Default TTL 7\r\nmeshrpr> $
send ttl-get\n
expect 0x0005: Default TTL 7\r\nmeshrpr> $
send friend-get\n
expect 0x0005: Friend (enabled|disabled|not supported)\r\nmeshrpr> $
send proxy-get\n
expect 0x0005: GATT Proxy (enabled|disabled|not supported)\r\nmeshrpr> $
send relay-get --node 0x0004\n
expect 0x0004: Relay enabled\r\n  Relay Retransmit: 3 retransmissions, 40 ms apart\r\nmeshrpr> $
send relay-set on 2 20 --node 0x0004\n
expect 0x0004: Relay enabled\r\n  Relay Retransmit: 2 retransmissions, 20 ms apart\r\nmeshrpr> $
send relay-set on 2\n
expect relay-set: COUNT needs INTERVAL_MS too\r\nmeshrpr> $
send net-transmit-set 2 20\n
expect 0x0005: Network Transmit\r\n  transmissions: 2 retransmissions, 20 ms apart\r\nmeshrpr> $
send net-transmit-get\n
expect 0x0005: Network Transmit\r\n  transmissions: 2 retransmissions, 20 ms apart\r\nmeshrpr> $
send netkey-get\n
expect 0x0005: NetKeys: 0x000\r\nmeshrpr> $
send appkey-get\n
expect 0x0005: AppKeys of NetKey 0x000: 0x000\r\nmeshrpr> $
send krp-get\n
expect 0x0005: NetKey 0x000 in Key Refresh phase 0\r\nmeshrpr> $
send mod-appkey-get 0x0005 0x1000\n
expect 0x0005: AppKeys bound to model 0x1000 on 0x0005: 0x000\r\nmeshrpr> $
send unbind 0x0005 0 0x1000\n
expect 0x0005: model 0x1000 on element 0x0005 unbound from AppKey 0x000\r\nmeshrpr> $
send mod-appkey-get 0x0005 0x1000\n
expect 0x0005: AppKeys bound to model 0x1000 on 0x0005: none\r\nmeshrpr> $
send bind 0x0005 0 0x1000\n
expect 0x0005: model 0x1000 on element 0x0005 bound to AppKey 0x000\r\nmeshrpr> $
send bind 0x0005 0 0x1300\n
expect Model App Bind: 0x0005 answered invalid model \(0x02\)\r\nmeshrpr> $
send sub-add 0x0005 0xc002 0x1000\n
expect 0x0005: model 0x1000 on element 0x0005 subscribed to group 0xc002\r\nmeshrpr> $
send sub-get 0x0005 0x1000\n
expect 0x0005: subscriptions of model 0x1000 on 0x0005: 0xc002\r\nmeshrpr> $
send sub-del 0x0005 0xc002 0x1000\n
expect 0x0005: model 0x1000 on element 0x0005 unsubscribed from group 0xc002\r\nmeshrpr> $
send sub-add 0x0005 0x0003 0x1000\n
expect bad GROUP "0x0003" \(a group address, 0xc000\.\.0xfffe\)\r\nmeshrpr> $
send appkey-del 0\n
expect 0x0005: AppKey 0x000 deleted\r\nmeshrpr> $
send appkey-get\n
expect 0x0005: AppKeys of NetKey 0x000: none\r\nmeshrpr> $
send appkey-add 7\n
expect no AppKey with index 7 in the database \(see keys\)\r\nmeshrpr> $
send appkey-add 0\n
expect 0x0005: AppKey 0x000 added \(bound to NetKey 0x000\)\r\nmeshrpr> $
send ttl-set 12\n
expect 0x0005: Default TTL 12\r\nmeshrpr> $
send db-export pty-db.json\n
expect database \(5 nodes\) written to pty-db.json as Mesh CDB JSON\r\nmeshrpr> $
send node-remove\n
expect 0x0005 removed from the node database \(nothing was sent to it\)\r\nmeshrpr> $
send ttl-get\n
expect unknown node 0x0005: no node with that primary address in the database \(see nodes\)\r\nmeshrpr> $
send db-import other-db.json\n
expect other-db.json is the database of another network \(its primary NetKey differs\): nothing was imported\r\nmeshrpr> $
send db-import pty-db.json\n
expect database of 5 nodes imported from pty-db.json\r\nmeshrpr> $
send ttl-get\n
expect 0x0005: Default TTL 12\r\nmeshrpr> $
send node-reset --node 0x0001\n
expect 0x0001 is the provisioner itself: it cannot be removed\r\nmeshrpr> $
send quit\n
exit 1
EOT
pty_session pty.txt pty.out "$M" --world $W shell --speed 0
json_ok pty-db.json

# The database.
run 0 "$M" --world $W db-export db.json
expect out.txt '^database \(5 nodes\) written to db.json as Mesh CDB JSON$'
json_ok db.json
expect db.json '"unicastAddress":[[:space:]]*"0005"'
run 0 "$M" --world $W $N node-remove
expect out.txt '^0x0005 removed from the node database \(nothing was sent to it\)$'
run 0 "$M" --world $W nodes
expect out.txt '^4 nodes in the database$'
run 2 "$M" --world $W $N ttl-get
expect err.txt 'unknown node 0x0005'
run 0 "$M" --world $W db-import db.json
expect out.txt '^database of 5 nodes imported from db.json$'
run 0 "$M" --world $W $N ttl-get
expect out.txt '^0x0005: Default TTL 12$'
cp $W before.json
run 2 "$M" --world $W db-import other-db.json
expect err.txt 'other-db.json is the database of another network \(its primary NetKey differs\): nothing was imported'
same $W before.json
run 2 "$M" --world $W db-import missing.json
expect err.txt 'cannot read the database missing.json'
run 2 "$M" --world $W --node 0x0001 node-remove
expect err.txt '0x0001 is the provisioner itself'
# node-reset: the node leaves, and beacons as an unprovisioned device again.
run 0 "$M" --world $W $N node-reset
expect out.txt '^0x0005 reset: it left the network and the node database$'
run 0 "$M" --world $W --server 0x0004 scan 5
expect out.txt "^  $UUID  rssi"
run 0 "$M" --world $W devices --unprovisioned
expect out.txt "^$UUID 0x0004 "
expect out.txt '^1 unprovisioned device$'
# node-reset through the shell on a pseudo-terminal: the node leaves, a scan finds it again.
run 0 "$M" --world $W provision-remote "$UUID" 0 0x0005
cat >pty2.txt <<EOT
expect meshrpr> \$
send node-reset --node 0x0005\n
expect 0x0005 reset: it left the network and the node database\r\nmeshrpr> \$
send scan 5 --server 0x0004\n
expect running in the background.*\r\nmeshrpr> \$
send run 9\n
expect virtual time [0-9.]+ s\r\nmeshrpr> \$
send devices --unprovisioned\n
expect $UUID 0x0004 
expect 1 unprovisioned device\r\nmeshrpr> \$
send quit\n
exit 0
EOT
pty_session pty2.txt pty2.out "$M" --world $W shell --speed 0
no_raw_errno pty.out pty2.out
echo PASS
