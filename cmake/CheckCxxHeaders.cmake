# SPDX-License-Identifier: Apache-2.0
# Compiles every public header on its own as C++17 with warnings as errors, so a C++ program
# can include any of them. Run as
#   cmake -DCXX=<c++ compiler> -DINCLUDES=<dir1|dir2> -DHEADERS=<h1|h2...> -P CheckCxxHeaders.cmake
string(REPLACE "|" ";" HEADERS "${HEADERS}")
string(REPLACE "|" ";" INCLUDES "${INCLUDES}")
set(flags -std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -x c++)
foreach(dir IN LISTS INCLUDES)
    list(APPEND flags -I${dir})
endforeach()
set(failed "")
list(LENGTH HEADERS n)
foreach(header IN LISTS HEADERS)
    execute_process(COMMAND ${CXX} ${flags} ${header} RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        string(APPEND failed "${header}:\n${err}\n")
    endif()
endforeach()
if(failed)
    message(FATAL_ERROR "public headers that do not compile as C++17:\n${failed}")
endif()
message(STATUS "all ${n} public headers compile as C++17 with ${CXX}")
