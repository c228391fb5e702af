#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The meshrpr tool under kill -9 and after failed attempts (issue #11):
#  - a command that provisions says "provisioned" only once the world holding the device is
#    saved: killed (SIGKILL) the moment the line appears, the world still has the device; the
#    demo likewise writes --cdb and --save before its result lines;
#  - saves killed at random points leave a world that loads, and any temporary file they left
#    (it holds keys) is mode 0600 and removed by the next command that takes the world's lock,
#    never by one that only reads (another command may be saving);
#  - the demo's simulated user types only what the device shows in the current attempt (an
#    Output OOB value of a failed attempt is stale), checked over 40 seeds at 40% loss.
#
# Usage: test_faults.sh MESHRPR_BINARY WORK_DIR KILL_AT_RENAME_LIBRARY
set -u
M=$1
DIR=$2
KILL_AT_RENAME=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
KILL="python3 $HERE/kill_after.py"
W=w.json

# mode FILE: its permission bits in octal.
mode() {
    stat -c %a "$1"
}

run 0 "$M" world new $W --seed 5 --servers 3 --devices 3
[ "$(mode $W)" = 600 ] || fail "the world file (it holds keys) is mode $(mode $W), not 600"

# ---- stale temporary files of a killed save
printf 'keys of a save killed before its rename\n' >$W.tmp.AbC123
chmod 600 $W.tmp.AbC123
printf 'not a save temporary\n' >$W.tmp.toolong7
printf 'another world\n' >other.json.tmp.XyZ789
run 0 "$M" --world $W nodes
[ -e $W.tmp.AbC123 ] || fail "a command that only reads removed a temporary file (a save of another command may own it)"
run 0 "$M" --world $W run 1
[ -e $W.tmp.AbC123 ] && fail "the stale temporary file $W.tmp.AbC123 was not removed"
[ -e $W.tmp.toolong7 ] || fail "$W.tmp.toolong7 is not a save temporary, but it was removed"
[ -e other.json.tmp.XyZ789 ] || fail "another world's temporary file was removed"
rm -f $W.tmp.toolong7 other.json.tmp.XyZ789

# ---- kill -9 in the middle of a save (temporary file written, not yet renamed): the world is
# unchanged, the temporary file holding keys is 0600, and the next command with the lock
# removes it
cp $W before.json
LD_PRELOAD=$KILL_AT_RENAME ASAN_OPTIONS=verify_asan_link_order=0 "$M" --world $W run 1 \
    >/dev/null 2>&1
rc=$?
[ $rc -eq 137 ] || fail "the save was not killed at its rename (exit code $rc)"
same $W before.json
n=0
for f in $W.tmp.*; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    [ "$(mode "$f")" = 600 ] || fail "$f (a killed save's temporary file) is mode $(mode "$f")"
    NETKEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cdb"]["netKeys"][0]["key"])' $W)
    grep -qi "$NETKEY" "$f" || fail "$f does not hold the world (no NetKey in it)"
done
[ $n -eq 1 ] || fail "$n temporary files after a save killed at its rename, expected 1"
run 0 "$M" --world $W nodes
ls $W.tmp.* >/dev/null 2>&1 || fail "a command that only reads removed the temporary file"
run 0 "$M" --world $W run 1
ls $W.tmp.* >/dev/null 2>&1 && fail "the killed save's temporary file is still there"

# ---- saves killed at random points: the world always loads; leftovers are 0600 and go away
cp $W start.json
seen=0
for delay in 0.01 0.02 0.03 0.04 0.05 0.06 0.07 0.08 0.09 0.10 0.015 0.025 0.035 0.045 \
    0.055 0.065 0.075 0.085 0.095 0.105; do
    "$M" --world $W --lock-wait 30 run 1 >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    run 0 "$M" --world $W nodes
    expect out.txt '^4 nodes in the database$'
    for f in $W.tmp.*; do
        [ -e "$f" ] || continue
        seen=$((seen + 1))
        [ "$(mode "$f")" = 600 ] || fail "$f (left by a killed save, it holds keys) is mode $(mode "$f")"
    done
done
echo "temporary files left by killed saves: $seen" >&2
run 0 "$M" --world $W run 1
for f in $W.tmp.*; do
    [ -e "$f" ] && fail "$f is still there after a command that took the lock"
done

# ---- kill -9 right after "provisioned": the device is in the saved world
run 0 "$M" --world $W --server 0x0004 scan 10
UUID=$(awk '/ rssi / {print $1; exit}' out.txt)
[ ${#UUID} -eq 32 ] || fail "no UUID in the scan output"
$KILL "^provisioned $UUID as 0x[0-9a-f]{4}" 120 -- "$M" --world $W provision-remote "$UUID" 0 0 \
    >out.txt 2>&1 || {
    cat out.txt >&2
    fail "provision-remote did not print its provisioned line"
}
run 0 "$M" --world $W nodes
expect out.txt "^0x[0-9a-f]{4} +1 +$UUID +dev-"
run 0 "$M" --world $W devices --unprovisioned
expect_not out.txt "$UUID"

# ---- the demo: --cdb and --save are written before the result lines
$KILL '^result: ' 300 -- "$M" demo --seed 3 --cdb demo-cdb.json --save demo-world.json \
    >out.txt 2>&1 || {
    cat out.txt >&2
    fail "the demo printed no result line"
}
json_ok demo-cdb.json
json_ok demo-world.json
json_ok demo-world.json.before-nppi
[ "$(mode demo-world.json)" = 600 ] || fail "demo-world.json is mode $(mode demo-world.json)"
run 0 "$M" --world demo-world.json nodes
expect out.txt '^13 nodes in the database$'

# ---- the user reads the current attempt's Output OOB value: every "the user reads V on D"
# follows a "D shows V" of the same attempt (no attempt of D started in between)
for seed in $(seq 1 40); do
    "$M" demo --seed $seed --loss 0.4 >demo.txt 2>&1
    awk -v seed=$seed '
        function fail(msg) { print "FAIL: seed " seed ": " msg ": " $0; bad = 1 }
        / shows / {
            d = $4; v = $6; shown[d] = v
        }
        /\] provisioning dev-[0-9]+ \(/ || / of dev-[0-9]+ \(0x[0-9a-f]{4}\)/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^dev-[0-9]+$/) { delete shown[$i]; break }
        }
        / the user reads / {
            v = $7; d = $9
            if (!(d in shown)) fail(d " shows nothing in this attempt")
            else if (shown[d] != v) fail("typed " v ", " d " shows " shown[d])
            delete shown[d]
        }
        END { exit bad }' demo.txt || fail "the simulated user typed a stale Output OOB value"
done
echo PASS
