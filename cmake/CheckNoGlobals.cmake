# SPDX-License-Identifier: Apache-2.0
# Fails when a library object defines a mutable global or static (a .data or .bss symbol):
# all state belongs in per-node contexts (docs/architecture.md). Run as
#   cmake -DNM=<nm> -DLIB=<libmeshrpr.a> -P CheckNoGlobals.cmake
execute_process(COMMAND ${NM} -A ${LIB} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${LIB}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(bad "")
foreach(line IN LISTS lines)
    # "<archive>:<object>: <address> <type> <name>"; types b/B/d/D are .bss/.data.
    # Sanitizer instrumentation adds its own metadata symbols; those are not our state.
    if(line MATCHES " [bBdD] ([^ ]+)$" AND NOT CMAKE_MATCH_1 MATCHES "^(_+(asan|ubsan|sancov|odr_asan)|__unnamed_[0-9]+$)")
        string(APPEND bad "  ${line}\n")
    endif()
endforeach()
if(bad)
    message(FATAL_ERROR "mutable globals in ${LIB}:\n${bad}")
endif()
message(STATUS "no mutable globals in ${LIB}")
