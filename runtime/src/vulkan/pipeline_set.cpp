#include "vulkan/pipeline_set.h"

#include <array>
#include <fstream>
#include <iterator>
#include <vector>

#include "platform/atomic_file.h"
#include "util/error.h"
#include "util/str_cat.h"
#include "vulkan/embedded_spirv.h"

namespace swaprun::vulkan {
namespace {

std::vector<char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

PipelineSet::PipelineSet(std::shared_ptr<const VulkanDevice> device, ShaderPrecision precision,
                         const std::string& cache_path)
    : device_(std::move(device)), precision_(precision) {
    const VkDevice d = device_->device();
    std::array<VkDescriptorSetLayoutBinding, kBindingCount> bindings{};
    for (uint32_t b = 0; b < kBindingCount; ++b) {
        bindings[b].binding = b;
        bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[b].descriptorCount = 1;
        bindings[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo set_info{};
    set_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    set_info.bindingCount = kBindingCount;
    set_info.pBindings = bindings.data();
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    vk_check(vkCreateDescriptorSetLayout(d, &set_info, nullptr, &set_layout),
             "vkCreateDescriptorSetLayout");
    set_layout_ = UniqueSetLayout(d, set_layout);

    VkPushConstantRange push{};
    push.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    push.size = sizeof(uint32_t);
    VkPipelineLayoutCreateInfo layout_info{};
    layout_info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &set_layout;
    layout_info.pushConstantRangeCount = 1;
    layout_info.pPushConstantRanges = &push;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    vk_check(vkCreatePipelineLayout(d, &layout_info, nullptr, &layout), "vkCreatePipelineLayout");
    layout_ = UniquePipelineLayout(d, layout);

    // The driver validates the cache header (vendor, device, driver UUID) itself and
    // ignores data made elsewhere, so a stale file only costs the compile time.
    const std::vector<char> initial =
        cache_path.empty() ? std::vector<char>{} : read_file(cache_path);
    VkPipelineCacheCreateInfo cache_info{};
    cache_info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
    cache_info.initialDataSize = initial.size();
    cache_info.pInitialData = initial.empty() ? nullptr : initial.data();
    VkPipelineCache cache = VK_NULL_HANDLE;
    if (vkCreatePipelineCache(d, &cache_info, nullptr, &cache) != VK_SUCCESS) {
        cache_info.initialDataSize = 0;  // a corrupt file: start empty
        cache_info.pInitialData = nullptr;
        vk_check(vkCreatePipelineCache(d, &cache_info, nullptr, &cache), "vkCreatePipelineCache");
    }
    cache_ = UniquePipelineCache(d, cache);
}

VkPipeline PipelineSet::get(const std::string& shader, int activation,
                            const std::vector<int32_t>& constants) {
    const auto key = std::make_tuple(shader, activation, constants);
    if (auto it = pipelines_.find(key); it != pipelines_.end()) return it->second.get();
    const VkDevice d = device_->device();

    auto module = modules_.find(shader);
    if (module == modules_.end()) {
        auto code = std::span<const uint32_t>{};
        if (precision_ == ShaderPrecision::Fp16Math) code = embedded_spirv(shader + "_fp16m");
        if (code.empty()) {
            code =
                embedded_spirv(shader + (precision_ == ShaderPrecision::Fp32 ? "_fp32" : "_fp16"));
        }
        if (code.empty()) {
            throw Error(ErrorKind::Internal, str_cat("Vulkan: no embedded shader '", shader, "'"));
        }
        VkShaderModuleCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
        info.codeSize = code.size_bytes();
        info.pCode = code.data();
        VkShaderModule handle = VK_NULL_HANDLE;
        vk_check(vkCreateShaderModule(d, &info, nullptr, &handle), "vkCreateShaderModule");
        module = modules_.emplace(shader, UniqueShaderModule(d, handle)).first;
    }

    // Constant 1: the activation, then 2, 3, ...: the given constants (a shader
    // ignores constants it does not declare).
    std::vector<int32_t> values = {activation};
    values.insert(values.end(), constants.begin(), constants.end());
    std::vector<VkSpecializationMapEntry> entries;
    for (uint32_t i = 0; i < values.size(); ++i) {
        entries.push_back({i + 1, static_cast<uint32_t>(i * sizeof(int32_t)), sizeof(int32_t)});
    }
    VkSpecializationInfo specialization{};
    specialization.mapEntryCount = static_cast<uint32_t>(entries.size());
    specialization.pMapEntries = entries.data();
    specialization.dataSize = values.size() * sizeof(int32_t);
    specialization.pData = values.data();

    VkComputePipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module->second.get();
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = &specialization;
    info.layout = layout_.get();
    VkPipeline pipeline = VK_NULL_HANDLE;
    vk_check(vkCreateComputePipelines(d, cache_.get(), 1, &info, nullptr, &pipeline),
             "vkCreateComputePipelines");
    return pipelines_.emplace(key, UniquePipeline(d, pipeline)).first->second.get();
}

void PipelineSet::save_cache(const std::string& path) const {
    size_t size = 0;
    vk_check(vkGetPipelineCacheData(device_->device(), cache_.get(), &size, nullptr),
             "vkGetPipelineCacheData");
    std::vector<uint8_t> data(size);
    vk_check(vkGetPipelineCacheData(device_->device(), cache_.get(), &size, data.data()),
             "vkGetPipelineCacheData");
    platform::AtomicFile file(path);
    file.write(data.data(), size);
    file.commit();
}

}  // namespace swaprun::vulkan
