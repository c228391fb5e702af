#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CTest entry of the bluetooth-meshd scenarios: meshd_interop.py needs Debian's /usr/bin/python3
# (with python3-dbus and python3-gi); without it the scenario is skipped (77), or fails when
# MESHRPR_REQUIRE_INTEROP=1.
if [ ! -x /usr/bin/python3 ]; then
    if [ "${MESHRPR_REQUIRE_INTEROP:-0}" = 1 ]; then
        echo "FAIL: MESHRPR_REQUIRE_INTEROP=1 but /usr/bin/python3 is missing" >&2
        exit 1
    fi
    echo "SKIP: /usr/bin/python3 is missing (apt-get install python3 python3-dbus python3-gi)" >&2
    exit 77
fi
exec /usr/bin/python3 "$(dirname "$0")/meshd_interop.py" "$@"
