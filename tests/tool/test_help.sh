#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The help of the meshrpr tool comes from one command table: --version, -h/--help, help
# COMMAND and COMMAND --help for every command --help lists, and a man page (--man, also built
# as meshrpr.1) with an entry for each of them that man(1) formats without warnings. Usage
# errors with --json carry an "error" member; output that cannot be written (/dev/full) fails.
#
# Usage: test_help.sh MESHRPR_BINARY WORK_DIR
set -u
M=$1
DIR=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR" || exit 1

run 0 "$M" --version
expect out.txt '^meshrpr [0-9]+\.[0-9]+\.[0-9]+'
run 0 "$M" -h
cp out.txt usage.txt
expect usage.txt '^usage: meshrpr '
run 0 "$M" --help
same out.txt usage.txt
run 2 "$M"
expect err.txt 'no command given'

# Every listed command has its own help, the same through help COMMAND and COMMAND --help.
CMDS=$(awk '/^Commands/ {on = 1; next} on && /^  [a-z]/ {print $1} /^$/ {on = 0}' usage.txt)
[ "$(echo "$CMDS" | wc -l)" -ge 15 ] || fail "too few commands listed: $CMDS"
run 0 "$M" --man
cp out.txt man.txt
for c in $CMDS; do
    run 0 "$M" help "$c"
    expect out.txt "^usage: meshrpr .*$c"
    cp out.txt h1.txt
    run 0 "$M" "$c" --help
    same out.txt h1.txt
    cname=$(echo "$c" | sed 's/-/\\\\-/g')
    expect man.txt "^\\\\fB$cname\\\\fR"
done
run 2 "$M" help no-such-command
expect err.txt 'no command "no-such-command"'
run 0 "$M" help target
expect out.txt 'only in the shell'
run 2 "$M" target 0x0002
expect err.txt 'only in the shell: "target"'

# The man page formats cleanly.
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man --warnings -l man.txt >man.out 2>man.err || fail "man failed"
    [ -s man.err ] && { cat man.err >&2; fail "man warnings"; }
    expect man.out 'provision-remote UUID NET_IDX ADDR'
fi

# --json usage errors say what is wrong in the result.
run 2 "$M" --json demo --bogus
json_ok out.txt
expect out.txt '"error":[[:space:]]*"unknown option --bogus'
run 2 "$M" --json demo --devices 99
json_ok out.txt
expect out.txt '"error":[[:space:]]*"bad --devices'
run 2 "$M" --json scan 10
json_ok out.txt
expect out.txt '"error":'

# Output that cannot be written fails with a message, not exit 0.
if [ -w /dev/full ]; then
    "$M" --help >/dev/full 2>err.txt && fail "--help to /dev/full exited 0"
    expect err.txt 'cannot write the output: the disk is full'
    "$M" demo --seed 1 >/dev/full 2>err.txt && fail "demo to /dev/full exited 0"
    expect err.txt 'cannot write the output: the disk is full'
    "$M" world new w.json --seed 1 --servers 1 --devices 0 >/dev/null || fail "world new failed"
    "$M" --world w.json --json nodes >/dev/full 2>err.txt && fail "nodes to /dev/full exited 0"
    expect err.txt 'cannot write the output: the disk is full'
    printf 'nodes\n' | "$M" --world w.json shell >/dev/full 2>err.txt &&
        fail "a shell writing to /dev/full exited 0"
    expect err.txt 'cannot write the output: the disk is full'
fi
no_raw_errno
echo PASS
