# The Vulkan backend inside swaprun_runtime: runtime/src/vulkan, the shaders embedded
# as SPIR-V, and volk compiled in (it loads libvulkan at run time, so the library
# does not link against it and the CPU path runs where Vulkan is absent).
include(${CMAKE_CURRENT_LIST_DIR}/SwaprunShaders.cmake)

find_path(VOLK_SOURCE_DIR volk.c PATHS /usr/include /usr/local/include
          DOC "directory of volk.h and volk.c (Debian: libvulkan-volk-dev)")
find_path(VULKAN_HEADERS_DIR vulkan/vulkan_core.h DOC "Vulkan headers (libvulkan-dev)")
if(NOT VOLK_SOURCE_DIR OR NOT VULKAN_HEADERS_DIR)
  message(FATAL_ERROR "swaprun: the Vulkan backend needs volk.c/volk.h and the Vulkan "
                      "headers (apt-get install libvulkan-volk-dev libvulkan-dev)")
endif()

swaprun_embed_shaders(SWAPRUN_SPIRV_SOURCE)

set(SWAPRUN_VULKAN_DIR ${PROJECT_SOURCE_DIR}/runtime/src/vulkan)
target_sources(swaprun_runtime PRIVATE
  ${VOLK_SOURCE_DIR}/volk.c
  ${SWAPRUN_SPIRV_SOURCE}
  ${SWAPRUN_VULKAN_DIR}/vk_common.cpp
  ${SWAPRUN_VULKAN_DIR}/vulkan_device.cpp
  ${SWAPRUN_VULKAN_DIR}/vulkan_buffer.cpp
  ${SWAPRUN_VULKAN_DIR}/pipeline_set.cpp
  ${SWAPRUN_VULKAN_DIR}/op_encoding.cpp
  ${SWAPRUN_VULKAN_DIR}/vulkan_context.cpp
  ${SWAPRUN_VULKAN_DIR}/half_convert.cpp)
# Third-party C: not held to the project's warning flags.
set_source_files_properties(${VOLK_SOURCE_DIR}/volk.c PROPERTIES COMPILE_OPTIONS "-w")
target_include_directories(swaprun_runtime PUBLIC ${VOLK_SOURCE_DIR} ${VULKAN_HEADERS_DIR})
target_link_libraries(swaprun_runtime PUBLIC ${CMAKE_DL_LIBS})
