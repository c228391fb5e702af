# SPDX-License-Identifier: Apache-2.0
# Library-only builds (MESHRPR_LIBRARY_ONLY, the default when cross-compiling): the stack
# (libmeshrpr) and the Zephyr compatibility library (libmeshrpr_compat), static, plus the
# footprint report (target meshrpr_footprint). The simulator, the POSIX pieces, tests and tools
# are host-only.
#
# Crypto: libmeshrpr calls Mbed TLS 2.28 (src/crypto/crypto_mbedtls.c). Debian has no Mbed TLS
# built for bare-metal targets, so by default the build compiles against Debian's Mbed TLS
# headers (portable C: only their mbedtls/ directory, never the host's libc headers) and links
# nothing: the application links a Mbed TLS built for its target. Point
# MESHRPR_MBEDTLS_INCLUDE_DIR at that build's headers to compile against its configuration.
set(MESHRPR_MBEDTLS_INCLUDE_DIR "" CACHE PATH
    "Directory holding the target's mbedtls/*.h (default: Debian's libmbedtls-dev headers)")
set(mbedtls_dir "${MESHRPR_MBEDTLS_INCLUDE_DIR}")
if(NOT mbedtls_dir)
    find_path(MESHRPR_HOST_MBEDTLS_DIR NAMES mbedtls/cmac.h PATHS /usr/include
              NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
    if(NOT MESHRPR_HOST_MBEDTLS_DIR)
        message(FATAL_ERROR "no Mbed TLS headers: install libmbedtls-dev or set "
                            "MESHRPR_MBEDTLS_INCLUDE_DIR")
    endif()
    set(mbedtls_dir ${PROJECT_BINARY_DIR}/mbedtls-headers)
    file(MAKE_DIRECTORY ${mbedtls_dir})
    file(CREATE_LINK ${MESHRPR_HOST_MBEDTLS_DIR}/mbedtls ${mbedtls_dir}/mbedtls SYMBOLIC)
endif()
add_library(MbedCrypto::MbedCrypto INTERFACE IMPORTED)
set_target_properties(MbedCrypto::MbedCrypto PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                                        "${mbedtls_dir}")

# The footprint: text/data/bss of each library, the RAM of a Remote Provisioning Client node
# with its default capacities (bench/footprint_probe.c), the largest stack frames, and what
# the libraries need from outside (libc, Mbed TLS).
add_compile_options(-fstack-usage)
string(REGEX REPLACE "nm$" "size" MESHRPR_SIZE "${CMAKE_NM}")
string(TOUPPER "${CMAKE_BUILD_TYPE}" build_type)
add_library(meshrpr_footprint_probe OBJECT ${PROJECT_SOURCE_DIR}/bench/footprint_probe.c)
target_include_directories(meshrpr_footprint_probe PRIVATE ${PROJECT_SOURCE_DIR}/include
                                                           ${PROJECT_BINARY_DIR}/include)
meshrpr_target_warnings(meshrpr_footprint_probe)
add_custom_target(meshrpr_footprint
    COMMAND ${CMAKE_COMMAND} -DSIZE=${MESHRPR_SIZE} -DNM=${CMAKE_NM}
            -DLIBS=$<TARGET_FILE:meshrpr>|$<TARGET_FILE:meshrpr_compat>
            -DPROBE=$<TARGET_OBJECTS:meshrpr_footprint_probe>
            -DSTACK_DIR=${PROJECT_BINARY_DIR}/src
            -DFLAGS=${CMAKE_C_FLAGS}|${CMAKE_C_FLAGS_${build_type}}
            -P ${PROJECT_SOURCE_DIR}/cmake/Footprint.cmake
    DEPENDS meshrpr meshrpr_compat meshrpr_footprint_probe
    COMMAND_EXPAND_LISTS VERBATIM)
