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

# The public API: every function and object a public header (include/meshrpr/*.h) declares.
# Shared libraries export these names only (a version script generated from the headers), so
# the library's internal functions stay internal however they are named.
file(GLOB MESHRPR_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/meshrpr/*.h)
list(APPEND MESHRPR_PUBLIC_HEADERS ${PROJECT_BINARY_DIR}/include/meshrpr/version.h)
set(MESHRPR_VERSION_SCRIPT ${PROJECT_BINARY_DIR}/meshrpr.map)
string(REPLACE ";" "|" MESHRPR_PUBLIC_HEADERS_ARG "${MESHRPR_PUBLIC_HEADERS}")
add_custom_command(OUTPUT ${MESHRPR_VERSION_SCRIPT}
    COMMAND ${CMAKE_COMMAND} -DOUT=${MESHRPR_VERSION_SCRIPT}
            -DHEADERS=${MESHRPR_PUBLIC_HEADERS_ARG}
            -P ${PROJECT_SOURCE_DIR}/cmake/MeshrprExports.cmake
    DEPENDS ${MESHRPR_PUBLIC_HEADERS} ${PROJECT_SOURCE_DIR}/cmake/MeshrprExports.cmake
    COMMENT "Public symbols of meshrpr (version script)" VERBATIM)
add_custom_target(meshrpr_version_script DEPENDS ${MESHRPR_VERSION_SCRIPT})

# Shared libraries where the platform has them (not on bare metal, not in library-only builds).
get_property(MESHRPR_SHARED_LIBS GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS)
if(MESHRPR_LIBRARY_ONLY)
    set(MESHRPR_SHARED_LIBS OFF)
endif()

# meshrpr_add_library(<name> SOURCES <src...> [DEPENDS <meshrpr libs...>] [LINK <other libs...>])
# compiles the sources once (position-independent when shared libraries are built) into:
#   <name>         lib<name>.a, used inside this tree (tests may reach its internals);
#   <name>_shared  lib<name>.so.<major>, exporting only the public API (where the platform
#                  has shared libraries, and not with MESHRPR_LIBRARY_ONLY).
# DEPENDS are other meshrpr libraries (the shared one links their shared variants); LINK are
# outside libraries, private to the shared library.
function(meshrpr_add_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LINK" ${ARGN})
    add_library(${name}_objects OBJECT ${ARG_SOURCES})
    if(MESHRPR_SHARED_LIBS)
        set_target_properties(${name}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
    endif()
    target_include_directories(${name}_objects PUBLIC
        $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
        $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
    target_link_libraries(${name}_objects PRIVATE ${ARG_DEPENDS} ${ARG_LINK})
    meshrpr_target_warnings(${name}_objects)

    add_library(${name} STATIC $<TARGET_OBJECTS:${name}_objects>)
    set_target_properties(${name} PROPERTIES EXPORT_NAME ${name}_static)
    target_include_directories(${name} INTERFACE
        $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
        $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${name} PUBLIC ${ARG_DEPENDS} ${ARG_LINK})
    if(NOT MESHRPR_SHARED_LIBS)
        return()
    endif()
    add_library(${name}_shared SHARED $<TARGET_OBJECTS:${name}_objects>)
    foreach(lib ${name}_shared)
        target_include_directories(${lib} INTERFACE
            $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
            $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
            $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    endforeach()
    set(shared_deps "")
    foreach(dep ${ARG_DEPENDS})
        list(APPEND shared_deps ${dep}_shared)
    endforeach()
    target_link_libraries(${name}_shared PUBLIC ${shared_deps} PRIVATE ${ARG_LINK})
    add_dependencies(${name}_shared meshrpr_version_script)
    target_link_options(${name}_shared PRIVATE "LINKER:--version-script=${MESHRPR_VERSION_SCRIPT}")
    set_target_properties(${name}_shared PROPERTIES
        OUTPUT_NAME ${name}
        VERSION ${PROJECT_VERSION}
        SOVERSION ${PROJECT_VERSION_MAJOR}
        LINK_DEPENDS ${MESHRPR_VERSION_SCRIPT}
        EXPORT_NAME ${name})
endfunction()
