# SPDX-License-Identifier: Apache-2.0
# Fails when a library object defines a mutable global or static: a symbol in .data or .bss
# (or a common symbol). All state belongs in per-node contexts (docs/architecture.md).
# Constant tables that hold pointers live in .data.rel.ro: read-only after relocation, so they
# pass. Run as
#   cmake -DOBJDUMP=<objdump> -DLIB=<libmeshrpr.a> -P CheckNoGlobals.cmake
execute_process(COMMAND ${OBJDUMP} -t ${LIB} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objdump failed on ${LIB}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(bad "")
set(object "")
foreach(line IN LISTS lines)
    if(line MATCHES "^([^ ]+\\.o):[ \t]+file format")
        set(object "${CMAKE_MATCH_1}")
        continue()
    endif()
    # "<address> <flags> <section>\t<size> <name>"
    if(NOT line MATCHES "^[0-9a-f]+ ....... ([^ \t]+)[ \t]+[0-9a-f]+ (.+)$")
        continue()
    endif()
    set(section "${CMAKE_MATCH_1}")
    set(name "${CMAKE_MATCH_2}")
    if(section MATCHES "^\\.data\\.rel\\.ro" OR name MATCHES "^\\.")
        continue()
    endif()
    if(NOT section MATCHES "^(\\.data|\\.bss|\\.tdata|\\.tbss|\\*COM\\*)(\\..*)?$")
        continue()
    endif()
    # Sanitizer instrumentation adds its own metadata symbols; those are not our state.
    if(name MATCHES "^(_+(asan|ubsan|sancov|odr_asan)|__unnamed_[0-9]+$)")
        continue()
    endif()
    string(APPEND bad "  ${object}: ${section} ${name}\n")
endforeach()
if(bad)
    message(FATAL_ERROR "mutable globals in ${LIB}:\n${bad}")
endif()
message(STATUS "no mutable globals in ${LIB}")
