#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Host instructions of one remote provisioning (1 hop, no loss, all three simulated nodes and
# the simulator) against the crypto floor of one provisioning (2 P-256 key generations, 2 ECDH,
# the confirmation, salt, key and Provisioning Data CMAC/HMAC and CCM work of both sides, with
# the same Mbed TLS), for the CMAC and the HMAC algorithm, counted by callgrind
# (bench_rpr --one; see the comment at the top of bench/bench_rpr.c). Issue #13's target is a
# ratio of at most 1.03. Use a Release build: a Debug or sanitizer build counts its checks.
#   bench/instructions.sh [path/to/bench_rpr]      (default: build/bench/bench_rpr)
set -euo pipefail
BENCH=${1:-build/bench/bench_rpr}
if [ ! -x "$BENCH" ]; then
    echo "instructions.sh: no bench_rpr program at '$BENCH' (build the bench target first)" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null; then
    echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# count FUNCTION ALG: the instructions callgrind counts inside FUNCTION in one --one run.
count() {
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" --toggle-collect="$1" \
        "$BENCH" --one "$2" >"$OUT/log" 2>&1 || {
        echo "instructions.sh: valgrind $BENCH --one $2 failed:" >&2
        cat "$OUT/log" >&2
        exit 1
    }
    awk '/^totals:/ { print $2 }' "$OUT/cg"
}

printf '%-5s %16s %16s %7s\n' alg provisioning crypto-floor ratio
for alg in cmac hmac; do
    prov=$(count bench_provision_once "$alg")
    floor=$(count bench_crypto_floor "$alg")
    awk -v a="$alg" -v p="$prov" -v f="$floor" \
        'BEGIN { printf "%-5s %16d %16d %7.3f\n", a, p, f, p / f }'
done
