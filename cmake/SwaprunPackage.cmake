# The library applications link, and what `cmake --install` puts in place.
#
# The project builds its parts as internal static libraries (format, kernels, runtime
# with the Vulkan backend and embedded shaders, face pipeline, the converter the
# pipeline uses for ONNX models on first use). An application links one library,
# libswaprun, made of all their objects:
#   swaprun::swaprun         shared; exports only the C API (swr_*), every other
#                            symbol is local (version script), so the C++ inside
#                            cannot clash with the application's
#   swaprun::swaprun_static  static, the same objects (C++ symbols are visible:
#                            link it into programs, not into other shared libraries)
# plus the public headers (swaprun/swaprun.h, swaprun.hpp, pipeline.h), the programs
# swaprun and swapconv, a CMake package (find_package(swaprun CONFIG)) and a
# pkg-config file (swaprun.pc; `pkg-config --static` for the static library).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SWAPRUN_LIBRARY_PARTS
  swaprun_runtime_format swaprun_kernels swaprun_runtime swaprun_pipeline swaprun_onnx
  swaprun_converter swaprun_model_store swaprun_pipeline_api)
set(SWAPRUN_LIBRARY_OBJECTS "")
foreach(part ${SWAPRUN_LIBRARY_PARTS})
  list(APPEND SWAPRUN_LIBRARY_OBJECTS $<TARGET_OBJECTS:${part}>)
endforeach()
set(SWAPRUN_PUBLIC_HEADERS
  ${PROJECT_SOURCE_DIR}/runtime/include/swaprun/swaprun.h
  ${PROJECT_SOURCE_DIR}/runtime/include/swaprun/swaprun.hpp
  ${PROJECT_SOURCE_DIR}/runtime/include/swaprun/pipeline.h)
set(SWAPRUN_EXPORTS_MAP ${CMAKE_CURRENT_LIST_DIR}/package/exports.map)

# What a static link needs besides libswaprun.a: the C++ and OpenMP runtimes, libm,
# libdl (the Vulkan loader is opened at run time) and threads.
set(SWAPRUN_STATIC_DEPENDENCIES stdc++ m ${CMAKE_DL_LIBS})
foreach(name ${OpenMP_CXX_LIB_NAMES})
  if(NOT name STREQUAL "pthread")
    list(APPEND SWAPRUN_STATIC_DEPENDENCIES ${name})
  endif()
endforeach()

add_library(swaprun_shared SHARED ${SWAPRUN_LIBRARY_OBJECTS})
add_library(swaprun_static STATIC ${SWAPRUN_LIBRARY_OBJECTS})
add_dependencies(swaprun_shared ${SWAPRUN_LIBRARY_PARTS})
add_dependencies(swaprun_static ${SWAPRUN_LIBRARY_PARTS})
foreach(library swaprun_shared swaprun_static)
  set_target_properties(${library} PROPERTIES OUTPUT_NAME swaprun LINKER_LANGUAGE CXX)
  target_include_directories(${library} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/runtime/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
set_target_properties(swaprun_shared PROPERTIES
  EXPORT_NAME swaprun
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${SWAPRUN_EXPORTS_MAP})
target_link_options(swaprun_shared PRIVATE
  -Wl,--version-script=${SWAPRUN_EXPORTS_MAP} -Wl,--gc-sections)
# Every symbol resolved inside (sanitizer runtimes are the executable's, so not there).
if(NOT SWAPRUN_SANITIZE AND NOT SWAPRUN_FUZZ)
  target_link_options(swaprun_shared PRIVATE -Wl,--no-undefined)
endif()
target_link_libraries(swaprun_shared PRIVATE OpenMP::OpenMP_CXX Threads::Threads ${CMAKE_DL_LIBS})
set_target_properties(swaprun_static PROPERTIES EXPORT_NAME swaprun_static)
add_custom_command(TARGET swaprun_static POST_BUILD
  COMMAND ${CMAKE_COMMAND} -DARCHIVE=$<TARGET_FILE:swaprun_static> -DNM=${CMAKE_NM}
          -DOBJCOPY=${CMAKE_OBJCOPY} -P ${CMAKE_CURRENT_LIST_DIR}/package/localize_c_symbols.cmake
  COMMENT "Prefixing the static library's internal C symbols"
  VERBATIM)
target_link_libraries(swaprun_static INTERFACE ${SWAPRUN_STATIC_DEPENDENCIES} Threads::Threads)

install(TARGETS swaprun_shared swaprun_static EXPORT swaprunTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${SWAPRUN_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/swaprun)
install(TARGETS swaprun swapconv RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(SWAPRUN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/swaprun)
install(EXPORT swaprunTargets NAMESPACE swaprun:: DESTINATION ${SWAPRUN_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/package/swaprunConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/swaprunConfig.cmake INSTALL_DESTINATION ${SWAPRUN_CMAKE_DIR})
# Same major version: the C API keeps every function and accepts older option structs.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/swaprunConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/swaprunConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/swaprunConfigVersion.cmake
        DESTINATION ${SWAPRUN_CMAKE_DIR})

# pkg-config: relocatable (the prefix is found from the .pc file's own place), so
# `cmake --install build --prefix DIR` works for any DIR.
set(SWAPRUN_PC_PREFIX "\${pcfiledir}")
string(REPLACE "/" ";" libdir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
foreach(part ${libdir_parts})
  string(APPEND SWAPRUN_PC_PREFIX "/..")
endforeach()
list(TRANSFORM SWAPRUN_STATIC_DEPENDENCIES PREPEND "-l" OUTPUT_VARIABLE static_flags)
string(JOIN " " SWAPRUN_PC_LIBS_PRIVATE ${static_flags} -pthread)
configure_file(${CMAKE_CURRENT_LIST_DIR}/package/swaprun.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/swaprun.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/swaprun.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
