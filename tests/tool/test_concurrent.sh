#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Invocations on one world take turns: 40 parallel `run 1` all succeed and advance the world
# 40 times (40 s of virtual time, 40 generations); while a shell holds the world, a command
# with --lock-wait 0 fails at once with a clear message and exit code 3 (the world file is
# untouched), one with a wait gets the world as soon as the shell ends, and reading commands
# (nodes) need no lock; the same against a shell on a pseudo-terminal, with five waiting runs
# none of which is lost. New worlds get different seeds unless --seed is given.
#
# Usage: test_concurrent.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1
W=w.json

run 0 "$M" world new $W --seed 3 --servers 2 --devices 2
gen() { sed -n 's/^[[:space:]]*"generation":[[:space:]]*\([0-9]*\),.*/\1/p' $W; }
tms() { sed -n 's/^[[:space:]]*"time_ms":[[:space:]]*\([0-9]*\),.*/\1/p' $W | head -1; }
G0=$(gen)
T0=$(tms)

i=0
pids=""
while [ $i -lt 40 ]; do
    "$M" --world $W run 1 >run$i.out 2>run$i.err &
    pids="$pids $!"
    i=$((i + 1))
done
failed=0
for p in $pids; do
    wait "$p" || failed=$((failed + 1))
done
[ $failed -eq 0 ] || { cat run*.err >&2; fail "$failed of 40 parallel runs failed"; }
G1=$(gen)
T1=$(tms)
[ $((G1 - G0)) -eq 40 ] || fail "40 runs advanced the generation by $((G1 - G0))"
[ $((T1 - T0)) -eq 40000 ] || fail "40 runs of 1 s advanced virtual time by $((T1 - T0)) ms"
# Every run saw a different time: none lost another's.
cat run*.out | sort | uniq -d >dups.txt
[ -s dups.txt ] && fail "two runs ended at the same virtual time: $(cat dups.txt)"

# A shell holds the world for its whole session.
mkfifo shell.in
"$M" --world $W shell <shell.in >shell.out 2>shell.err &
SHELL_PID=$!
exec 7>shell.in
echo "run 1" >&7
n=0
# The shell saved its run (the output comes before the save).
while [ "$(gen)" != $((G1 + 1)) ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n + 1)); done
cp $W before.json
run 3 "$M" --world $W --lock-wait 0 run 1
expect err.txt "cannot use the world: $W is in use by another meshrpr \(a command or a shell on the same world\)"
expect_not err.txt '[(]-?[0-9]+[)]'
same $W before.json
run 3 "$M" --world $W --lock-wait 0 --json run 1
json_ok out.txt
expect out.txt '"error":[[:space:]]*"cannot use the world'
run 0 "$M" --world $W nodes
expect out.txt '^3 nodes in the database$'
# A waiting command gets the world when the shell ends, and sees what the shell saved.
"$M" --world $W --lock-wait 30 run 1 >wait.out 2>wait.err &
WAIT_PID=$!
sleep 0.3
echo "quit" >&7
exec 7>&-
wait $SHELL_PID || fail "the shell failed: $(cat shell.err)"
wait $WAIT_PID || fail "the waiting run failed: $(cat wait.err)"
expect wait.err "is in use by another meshrpr; waiting up to 30 s"
# The shell saved its run (and, at its end, the time that passed at its prompt); the waiting
# run came after, on the shell's last state.
[ $(($(gen) - G1)) -ge 2 ] || fail "the shell's run and the waiting run must both count"
ST=$(sed -n 's/^virtual time \([0-9.]*\) s$/\1/p' shell.out)
WT=$(sed -n 's/^virtual time \([0-9.]*\) s$/\1/p' wait.out)
python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) >= float(sys.argv[1]) + 1 else 1)' "$ST" "$WT" ||
    fail "the waiting run ($WT s) did not start from the shell's world ($ST s)"
run 2 "$M" --world $W --lock-wait x run 1
expect err.txt 'bad --lock-wait'

# The same against a shell on a pseudo-terminal (as a person leaves one open): refused at once
# with --lock-wait 0, read-only commands run, five waiting runs all get the world after the
# shell, none lost. The pty session waits for the file others-done before its last command.
cat >pty.txt <<'EOT'
expect meshrpr> $
send run 1\n
expect virtual time [0-9.]+ s\r\nmeshrpr> $
timeout 120
wait_file others-done
send run 1\n
expect virtual time [0-9.]+ s\r\nmeshrpr> $
send quit\n
exit 0
EOT
G2=$(gen)
rm -f others-done
mkdir -p home
HOME=$PWD/home python3 "$HERE/pty_drive.py" pty.txt -- "$M" --world $W shell --speed 0 >pty.out 2>pty.err &
PTY_PID=$!
n=0
while [ "$(gen)" != $((G2 + 1)) ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n + 1)); done
[ "$(gen)" = $((G2 + 1)) ] || { touch others-done; fail "the pty shell did not save its run"; }
cp $W before.json
run 3 "$M" --world $W --lock-wait 0 run 1
expect err.txt "cannot use the world: $W is in use by another meshrpr"
same $W before.json
run 0 "$M" --world $W nodes
expect out.txt '^3 nodes in the database$'
i=0
pids=""
while [ $i -lt 5 ]; do
    "$M" --world $W --lock-wait 60 run 1 >late$i.out 2>late$i.err &
    pids="$pids $!"
    i=$((i + 1))
done
# Each is waiting (it says so) before the shell is let go.
i=0
while [ $i -lt 5 ]; do
    n=0
    while ! grep -q 'waiting up to 60 s' late$i.err && [ $n -lt 1200 ]; do sleep 0.05; n=$((n + 1)); done
    i=$((i + 1))
done
touch others-done
wait $PTY_PID || fail "the pty shell failed: $(cat pty.err)"
failed=0
for p in $pids; do
    wait "$p" || failed=$((failed + 1))
done
[ $failed -eq 0 ] || { cat late*.err >&2; fail "$failed of 5 waiting runs failed"; }
for i in 0 1 2 3 4; do
    expect late$i.err 'is in use by another meshrpr; waiting up to 60 s'
done
# The shell's two runs and the five waiting ones: seven saves, seven different end times.
[ $(($(gen) - G2)) -eq 7 ] || fail "the shell and 5 waiting runs advanced the generation by $(($(gen) - G2))"
cat late*.out pty.out | grep -o 'virtual time [0-9.]* s' | sort | uniq -d >dups.txt
[ -s dups.txt ] && fail "two runs ended at the same virtual time: $(cat dups.txt)"

# Seeds: random by default, fixed with --seed.
run 0 "$M" world new a.json
run 0 "$M" world new b.json
SA=$(sed -n 's/^[[:space:]]*"seed":[[:space:]]*\([0-9]*\),.*/\1/p' a.json)
SB=$(sed -n 's/^[[:space:]]*"seed":[[:space:]]*\([0-9]*\),.*/\1/p' b.json)
[ -n "$SA" ] && [ "$SA" != "$SB" ] || fail "two new worlds share the seed $SA"
run 0 "$M" world new c.json --seed 7
run 0 "$M" world new d.json --seed 7
same c.json d.json
no_raw_errno pty.out
echo PASS
