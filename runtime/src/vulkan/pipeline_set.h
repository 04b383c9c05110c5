// The compute pipelines of one device and precision, created on first use and kept:
// one descriptor set layout and pipeline layout shared by every shader (binding 0
// parameters, 1 output, 2..5 inputs; a 4-byte push constant), specialized per
// activation, with a VkPipelineCache that can be saved to and loaded from a file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "vulkan/vk_handle.h"
#include "vulkan/vulkan_device.h"

namespace swaprun::vulkan {

inline constexpr uint32_t kBindingCount = 6;
inline constexpr uint32_t kMaxInputs = 4;
// The workgroup size of the 1-D shaders (every device allows 128 invocations);
// LINEAR_GROUP in shaders/common.glsl.
inline constexpr uint32_t kLinearGroupSize = 128;

// The shader builds (cmake/SwaprunShaders.cmake): fp32; fp16 storage with fp32
// arithmetic; fp16 storage with fp16 arithmetic in the shaders whose time is arithmetic
// (conv2d.comp; the others run their fp16-storage build).
enum class ShaderPrecision { Fp32, Fp16Storage, Fp16Math };

class PipelineSet {
  public:
    // cache_path: a pipeline cache file to start from (ignored when missing or made by
    // another device or driver); empty for none.
    PipelineSet(std::shared_ptr<const VulkanDevice> device, ShaderPrecision precision,
                const std::string& cache_path = "");

    // The pipeline of shaders/<shader>.comp with the given activation (the
    // kernels::Activation value, specialization constant 1) and further constants
    // (ids 2, 3, ...: tile sizes).
    VkPipeline get(const std::string& shader, int activation,
                   const std::vector<int32_t>& constants = {});
    VkPipelineLayout layout() const { return layout_.get(); }
    VkDescriptorSetLayout set_layout() const { return set_layout_.get(); }
    // Writes the pipeline cache's data (atomically). Throws swaprun::Error.
    void save_cache(const std::string& path) const;

  private:
    std::shared_ptr<const VulkanDevice> device_;
    ShaderPrecision precision_;
    UniqueSetLayout set_layout_;
    UniquePipelineLayout layout_;
    UniquePipelineCache cache_;
    std::map<std::string, UniqueShaderModule> modules_;
    std::map<std::tuple<std::string, int, std::vector<int32_t>>, UniquePipeline> pipelines_;
};

}  // namespace swaprun::vulkan
