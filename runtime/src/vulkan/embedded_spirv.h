// The SPIR-V modules compiled from shaders/ at build time (generated source).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace swaprun::vulkan {

// "conv2d_fp32", "conv2d_fp16", ...; empty when there is no such module.
std::span<const uint32_t> embedded_spirv(std::string_view name);

}  // namespace swaprun::vulkan
