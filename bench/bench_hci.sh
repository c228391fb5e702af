#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# One remote provisioning over HCI on BlueZ's controller emulator (btvirt, Debian
# bluez-test-tools), in real time: a Remote Provisioning Server and an unprovisioned device,
# each a `meshrpr node` on its own emulated controller, and the provisioner's
# `meshrpr --hci ... provision-remote --stats`. Prints the wall time and what went over the
# provisioner's controller (PDUs it sent, advertising events, reports it heard).
#
# usage: bench/bench_hci.sh BUILD_DIR   (after cmake --build BUILD_DIR)
set -eu
B=${1:?usage: bench_hci.sh BUILD_DIR}
BIN=$B/tools/meshrpr/meshrpr
SHIM=$B/tests/interop/btvirt/btvirt_shim.so
WD=$(mktemp -d /tmp/meshrpr-bench-hci.XXXXXX)
PIDS=""
BTVIRT_PID=""
cleanup() {
    for p in $PIDS $BTVIRT_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WD"
}
trap cleanup EXIT
BTVIRT_SHIM_DIR=$WD LD_PRELOAD=$SHIM btvirt -s -L -l0 >"$WD/btvirt.log" 2>&1 &
BTVIRT_PID=$!
while [ ! -S "$WD/bt-server-le" ]; do sleep 0.1; done
HCI=unix:$WD/bt-server-le
wait_ready() { while ! grep -q '^ready:' "$1"; do sleep 0.1; done; }
"$BIN" node --hci $HCI --state "$WD/srv" --role server --uuid 5e7e0000000000000000000000000001 >"$WD/srv.log" 2>&1 &
PIDS="$PIDS $!"
"$BIN" node --hci $HCI --state "$WD/dev" --role device --uuid de7e0000000000000000000000000002 >"$WD/dev.log" 2>&1 &
PIDS="$PIDS $!"
wait_ready "$WD/srv.log"
wait_ready "$WD/dev.log"
P="--hci $HCI --state $WD/prov"
"$BIN" $P provision 5e7e0000000000000000000000000001 0 0x0002 >/dev/null
# The server sees the device's beacon before the provisioning starts (as after a scan).
"$BIN" $P scan 6 de7e0000000000000000000000000002 --server 0x0002 >/dev/null
echo "bench_hci: one remote provisioning over HCI on btvirt (PB-Remote through 0x0002)"
"$BIN" $P provision-remote de7e0000000000000000000000000002 0 0 --server 0x0002 --stats
