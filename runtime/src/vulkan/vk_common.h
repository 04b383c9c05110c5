// The Vulkan API as the backend sees it: through volk, which loads the Vulkan loader
// at run time, so the library has no link-time dependency on libvulkan and the CPU
// path works where none is installed.
#pragma once

#include <volk.h>

namespace swaprun::vulkan {

// Throws swaprun::Error naming the call and the result unless result is VK_SUCCESS.
void vk_check(VkResult result, const char* what);
const char* vk_result_name(VkResult result);

}  // namespace swaprun::vulkan
