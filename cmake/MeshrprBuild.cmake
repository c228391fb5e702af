# SPDX-License-Identifier: Apache-2.0
# Compiler warnings and sanitizers shared by every meshrpr target.

set(MESHRPR_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wundef -Wvla -Wpointer-arith -Wcast-align -Wswitch-enum
    -Wno-switch-enum)
if(MESHRPR_WERROR)
    list(APPEND MESHRPR_WARNINGS -Werror)
endif()

# meshrpr_target_warnings(<target>): our warning set, applied to our own code only.
function(meshrpr_target_warnings target)
    target_compile_options(${target} PRIVATE ${MESHRPR_WARNINGS})
endfunction()

if(MESHRPR_SANITIZE)
    set(MESHRPR_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
        -fno-omit-frame-pointer)
    add_compile_options(${MESHRPR_SAN_FLAGS})
    add_link_options(${MESHRPR_SAN_FLAGS})
endif()

# With MESHRPR_FUZZ, instrument every target for coverage so libFuzzer sees inside the library;
# only the fuzz executables link the fuzzer's main (tests/CMakeLists.txt).
if(MESHRPR_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
