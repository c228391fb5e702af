# SPDX-License-Identifier: Apache-2.0
# Installation: headers, the shared and static libraries, the tool, a CMake package
# (find_package(meshrpr) with targets meshrpr::meshrpr, meshrpr::meshrpr_posix,
# meshrpr::meshrpr_compat, meshrpr::meshrpr_sim and their *_static twins) and pkg-config files
# (meshrpr, meshrpr-posix, meshrpr-compat, meshrpr-sim).
include(CMakePackageConfigHelpers)

set(MESHRPR_LIBS meshrpr meshrpr_posix meshrpr_compat meshrpr_sim)
set(MESHRPR_INSTALL_TARGETS "")
foreach(lib ${MESHRPR_LIBS})
    list(APPEND MESHRPR_INSTALL_TARGETS ${lib} ${lib}_shared)
endforeach()
install(TARGETS ${MESHRPR_INSTALL_TARGETS} EXPORT meshrprTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS meshrpr_tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The public headers, and the private ones they include for the sizes of the caller-owned
# structs (never to be used directly).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/meshrpr
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/meshrpr/version.h
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/meshrpr)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/meshrpr)

set(MESHRPR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/meshrpr)
install(EXPORT meshrprTargets NAMESPACE meshrpr:: DESTINATION ${MESHRPR_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/meshrprConfig.cmake.in
    ${PROJECT_BINARY_DIR}/meshrprConfig.cmake INSTALL_DESTINATION ${MESHRPR_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/meshrprConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/meshrprConfig.cmake
              ${PROJECT_BINARY_DIR}/meshrprConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindMbedCrypto.cmake
    DESTINATION ${MESHRPR_CMAKE_DIR})

# The .pc files find their prefix from where they are, so an installed tree can move.
file(RELATIVE_PATH MESHRPR_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
foreach(pc meshrpr meshrpr-posix meshrpr-compat meshrpr-sim)
    configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
