#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# meshrpr on BlueZ's controller emulator (issue #10): btvirt (Debian bluez-test-tools) serves
# one emulated LE controller per connection on a shared air; the meshrpr tool runs a Remote
# Provisioning Server, an unprovisioned device and the provisioner, each on its own controller,
# over the HCI radio. The commands are the README's section "On a real controller", taken from
# README.md between its btvirt-commands markers and run verbatim (HCI points at this test's
# emulator); each command's output is then checked.
#
# usage: run_btvirt.sh --shim btvirt_shim.so --meshrpr BIN --readme README.md --workdir DIR
# Exit 77 (skip) when btvirt is missing, unless MESHRPR_REQUIRE_INTEROP=1 makes it a failure.
set -u
while [ $# -gt 0 ]; do
    case "$1" in
    --shim) SHIM=$2; shift 2 ;;
    --meshrpr) BIN=$2; shift 2 ;;
    --readme) README=$2; shift 2 ;;
    --workdir) WD=$2; shift 2 ;;
    *) echo "usage: $0 --shim SO --meshrpr BIN --readme README.md --workdir DIR" >&2; exit 2 ;;
    esac
done
BTVIRT=$(command -v btvirt || true)
if [ -z "$BTVIRT" ]; then
    if [ "${MESHRPR_REQUIRE_INTEROP:-0}" = 1 ]; then
        echo "FAIL: MESHRPR_REQUIRE_INTEROP=1 but btvirt is missing (apt-get install bluez-test-tools)" >&2
        exit 1
    fi
    echo "SKIP: btvirt is missing (apt-get install bluez-test-tools)" >&2
    exit 77
fi
rm -rf "$WD"
mkdir -p "$WD"
cd "$WD" || exit 1
# UNIX socket paths hold 107 octets: a deep build tree gets a short temporary directory.
SOCKDIR=$WD/sock
if [ ${#SOCKDIR} -gt 80 ]; then
    SOCKDIR=$(mktemp -d /tmp/meshrpr-btvirt.XXXXXX)
else
    mkdir -p "$SOCKDIR"
fi
PIDS=""
BTVIRT_PID=""
cleanup() {
    # The meshrpr nodes first, then their emulator.
    for p in $PIDS $BTVIRT_PID; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    case "$SOCKDIR" in /tmp/meshrpr-btvirt.*) rm -rf "$SOCKDIR" ;; esac
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$WD"/*.log; do echo "---- $f" >&2; tail -20 "$f" >&2; done
    exit 1
}

# No controller yet: a clear error, no hang.
"$BIN" --hci "unix:$SOCKDIR/bt-server-le" --state nostate nodes >nocontroller.log 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'no controller there' nocontroller.log ||
    fail "without a controller: exit $rc, $(cat nocontroller.log)"

# The emulator, with the AF_ALG stand-in and its sockets moved into SOCKDIR.
BTVIRT_SHIM_DIR=$SOCKDIR LD_PRELOAD=$SHIM stdbuf -oL "$BTVIRT" -s -L -l0 >btvirt.log 2>&1 &
BTVIRT_PID=$!
i=0
while [ ! -S "$SOCKDIR/bt-server-le" ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && fail "btvirt did not create $SOCKDIR/bt-server-le"
    sleep 0.1
done

# The README's commands.
sed -n '/<!-- btvirt-commands:begin -->/,/<!-- btvirt-commands:end -->/p' "$README" |
    grep '^meshrpr ' >commands.txt
[ "$(wc -l <commands.txt)" -ge 10 ] || fail "no btvirt commands in $README"
HCI=unix:$SOCKDIR/bt-server-le
meshrpr() { "$BIN" "$@"; }

wait_line() { # file pattern what
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 300 ] && fail "$3: no \"$2\" in $1 within 30 s"
        sleep 0.1
    done
}

step=0
while IFS= read -r line; do
    step=$((step + 1))
    log=$(printf 'step%02d.log' $step)
    echo "== $line"
    case "$line" in
    *' &')
        eval "${line% &}" >"$log" 2>&1 </dev/null &
        PIDS="$PIDS $!"
        wait_line "$log" '^ready:' "$line"
        case "$line" in *'--role server'*) SRV_LOG=$log ;; *'--role device'*) DEV_LOG=$log ;; esac
        continue
        ;;
    esac
    eval "$line" >"$log" 2>&1 </dev/null
    rc=$?
    cat "$log"
    [ $rc -eq 0 ] || fail "exit status $rc: $line"
    case "$line" in
    *' provision 5e7e'*)
        grep -q '^provisioned 5e7e0000000000000000000000000001 as 0x0002, 1 element(s), over PB-ADV' "$log" ||
            fail "PB-ADV provisioning of the server"
        wait_line "$SRV_LOG" '^provisioned as 0x0002' "the server"
        key=$(sed -n 's/^device key //p' "$log")
        grep -q "^provisioned as 0x0002, device key $key" "$SRV_LOG" ||
            fail "the server derived another device key than the provisioner ($key)"
        ;;
    *' scan 10 '*)
        grep -q '^device de7e0000000000000000000000000002 rssi .* server 0x0002' "$log" ||
            fail "the scan through 0x0002 did not report the device"
        ;;
    *' scan-ext '*)
        grep -q '^ext-scan de7e0000000000000000000000000002 server 0x0002' "$log" &&
            grep -q 'name "dev-1"' "$log" || fail "the extended scan did not collect the device's name"
        ;;
    *' provision-remote '*)
        grep -q '^provisioned de7e0000000000000000000000000002 as 0x0003, 1 element(s), through 0x0002' "$log" ||
            fail "remote provisioning"
        wait_line "$DEV_LOG" '^provisioned as 0x0003' "the device"
        key=$(sed -n 's/^device key //p' "$log")
        grep -q "^provisioned as 0x0003, device key $key" "$DEV_LOG" ||
            fail "the device derived another device key than the provisioner ($key)"
        LAST_KEY=$key
        ;;
    *' reprovision '*)
        grep -q '^reprovisioned 0x0003' "$log" || fail "NPPI: $line"
        key=$(sed -n 's/^device key //p' "$log")
        [ -n "$key" ] && [ "$key" != "$LAST_KEY" ] || fail "NPPI gave no new device key: $line"
        LAST_KEY=$key
        ;;
    *' composition-get --node 0x0003'*)
        # Answered under the device key the database holds now (the Configuration Client
        # check); page 0 before and after the Node Composition Refresh.
        if grep -q 'procedure composition' commands.done 2>/dev/null; then
            grep -q 'cid ffff pid 0003 vid 0002, 1 element(s), 4 model(s)' "$log" ||
                fail "the composition did not change with the Node Composition Refresh"
        else
            grep -q 'cid ffff pid 0003 vid 0001, 1 element(s), 3 model(s)' "$log" ||
                fail "Composition Data of the new node"
        fi
        ;;
    *' composition-get --node 0x0010'*)
        grep -q '^composition 0x0010 page 0: cid ffff pid 0003 vid 0002' "$log" ||
            fail "the node does not answer at its new address 0x0010"
        ;;
    *' nodes')
        grep -q '^node 0x0010 de7e0000000000000000000000000002 1 element(s) device key '"$LAST_KEY" "$log" ||
            fail "the database does not hold the node at 0x0010 with its last device key"
        ;;
    esac
    echo "$line" >>commands.done
done <commands.txt
grep -q 'reprovisioned as 0x0010' "$DEV_LOG" || fail "the device did not report its new address"
# The same answers as --json results (python3 reads them).
"$BIN" --json --hci "$HCI" --state prov nodes >nodes.json 2>nodes.err || fail "--json nodes"
python3 -c '
import json, sys
r = json.load(open("nodes.json"))
n = [x for x in r["nodes"] if x["addr"] == 0x10]
assert r["command"] == "nodes" and len(n) == 1, r
assert n[0]["dev_key"] == sys.argv[1] and n[0]["uuid"] == "de7e0000000000000000000000000002", n
' "$LAST_KEY" || fail "--json nodes: $(cat nodes.json)"
"$BIN" --json --hci "$HCI" --state prov composition-get --node 0x0010 >comp.json 2>comp.err ||
    fail "--json composition-get: $(cat comp.err)"
python3 -c '
import json
r = json.load(open("comp.json"))
assert (r["node"], r["cid"], r["pid"], r["vid"], r["elements"], r["models"]) == (0x10, 0xffff, 3, 2, 1, 4), r
assert r["data"].startswith("ffff03000200"), r
' || fail "--json composition-get: $(cat comp.json)"
# The emulator goes away: the nodes say so and stop.
kill "$BTVIRT_PID"
wait "$BTVIRT_PID" 2>/dev/null
BTVIRT_PID=""
wait_line "$SRV_LOG" 'controller: the controller closed the connection' "the server after btvirt ended"
echo "PASS: $step commands"
