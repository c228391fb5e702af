# SPDX-License-Identifier: Apache-2.0
# Helpers of the meshrpr tool tests (sourced by the test_*.sh scripts): run a command and check
# its exit code, its output and its error message. POSIX sh only.

# fail MESSAGE: print it and stop the test.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# run CODE CMD...: run CMD with stdout in out.txt and stderr in err.txt; the exit code must be
# CODE.
run() {
    want=$1
    shift
    echo "+ $*" >&2
    "$@" >out.txt 2>err.txt
    got=$?
    # Every message of the test, for no_raw_errno.
    cat err.txt >>all-err.txt
    if [ "$got" -ne "$want" ]; then
        echo "--- stdout" >&2
        cat out.txt >&2
        echo "--- stderr" >&2
        cat err.txt >&2
        fail "exit code $got, expected $want: $*"
    fi
}

# expect FILE PATTERN: FILE contains a line matching the extended regular expression.
expect() {
    if ! grep -Eq -- "$2" "$1"; then
        echo "--- $1" >&2
        cat "$1" >&2
        fail "no line of $1 matches: $2"
    fi
}

# expect_not FILE PATTERN: no line of FILE matches.
expect_not() {
    if grep -Eq -- "$2" "$1"; then
        echo "--- $1" >&2
        cat "$1" >&2
        fail "a line of $1 matches: $2"
    fi
}

# same FILE1 FILE2: byte-identical.
same() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ"
}

# json_ok FILE: valid JSON (checked with python3 when the machine has it).
json_ok() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" ||
            fail "$1 is not valid JSON"
    fi
}

# no_raw_errno [FILE...]: no message run saw in this test (all-err.txt), nor any line of the
# FILEs (pty transcripts), carries a raw errno value, as in
# "(-22)" or "failed (110)": people read words (the errno name goes to --json only).
no_raw_errno() {
    [ $# -gt 0 ] && cat "$@" >>all-err.txt
    if [ -f all-err.txt ] && grep -Eq '\(-?[0-9]+\)$|\(-[0-9]+\)|\b(EINVAL|EEXIST|ENOMEM|ETIMEDOUT|ECONNREFUSED|EBUSY|ENOENT|EIO|EAGAIN|ENOSPC|EALREADY|ENOTCONN|ECANCELED|EMSGSIZE|ENOBUFS|EPROTO|ENOTSUP|EPERM|EACCES)\b' all-err.txt; then
        grep -E '\(-?[0-9]+\)$|\(-[0-9]+\)|\b(EINVAL|EEXIST|ENOMEM|ETIMEDOUT|ECONNREFUSED|EBUSY|ENOENT|EIO|EAGAIN|ENOSPC|EALREADY|ENOTCONN|ECANCELED|EMSGSIZE|ENOBUFS|EPROTO|ENOTSUP|EPERM|EACCES)\b' all-err.txt >&2
        fail "a message carries a raw errno value or name"
    fi
}

# uuid_of WORLD NAME: the UUID of the node NAME (dev-1, bench-1, srv-2...) of a world file.
uuid_of() {
    python3 -c 'import json, sys
w = json.load(open(sys.argv[1]))
print([n["uuid"] for n in w["nodes"] if n["name"] == sys.argv[2]][0])' "$1" "$2"
}

# pty_session SCRIPT OUT CMD...: run CMD on a pseudo-terminal driven by SCRIPT (see
# pty_drive.py, next to this file; HERE must name that folder), HOME in ./home, the transcript
# in OUT; the session must pass.
pty_session() {
    script=$1
    transcript=$2
    shift 2
    mkdir -p home
    HOME=$PWD/home python3 "$HERE/pty_drive.py" "$script" -- "$@" >"$transcript" ||
        fail "the terminal session $script failed"
}

# json_objects FILE CODE: FILE holds JSON objects one after another (a --json shell's output);
# the Python CODE runs with them in the list objs and must not raise.
json_objects() {
    python3 -c 'import json, sys
text, dec, i, objs = open(sys.argv[1]).read(), json.JSONDecoder(), 0, []
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    o, i = dec.raw_decode(text, i)
    objs.append(o)
exec(sys.argv[2])' "$1" "$2" || fail "$1: the JSON objects are not as expected"
}
