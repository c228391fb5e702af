# SPDX-License-Identifier: Apache-2.0
# Finds the Mbed TLS crypto library (Debian: libmbedtls-dev, 2.28) and defines
# the imported target MbedCrypto::MbedCrypto.

find_path(MbedCrypto_INCLUDE_DIR NAMES mbedtls/cmac.h)
find_library(MbedCrypto_LIBRARY NAMES mbedcrypto)

if(MbedCrypto_INCLUDE_DIR AND EXISTS "${MbedCrypto_INCLUDE_DIR}/mbedtls/version.h")
    file(STRINGS "${MbedCrypto_INCLUDE_DIR}/mbedtls/version.h" _mbed_ver
         REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
    string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MbedCrypto_VERSION "${_mbed_ver}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MbedCrypto
    REQUIRED_VARS MbedCrypto_LIBRARY MbedCrypto_INCLUDE_DIR
    VERSION_VAR MbedCrypto_VERSION)

if(MbedCrypto_FOUND AND NOT TARGET MbedCrypto::MbedCrypto)
    add_library(MbedCrypto::MbedCrypto UNKNOWN IMPORTED)
    set_target_properties(MbedCrypto::MbedCrypto PROPERTIES
        IMPORTED_LOCATION "${MbedCrypto_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${MbedCrypto_INCLUDE_DIR}")
endif()
mark_as_advanced(MbedCrypto_INCLUDE_DIR MbedCrypto_LIBRARY)
