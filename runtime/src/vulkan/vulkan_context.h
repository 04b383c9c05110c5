// The Vulkan executor: one model's weights in device memory (uploaded once), its
// activations in one device buffer laid out by the model's memory plan, every
// pipeline created up front, and the whole graph recorded into one command buffer
// that each run re-submits. Inputs go up and outputs come back through one staging
// buffer. Same surface as exec::CpuContext; used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"
#include "exec/input_state.h"
#include "vulkan/op_encoding.h"
#include "vulkan/pipeline_set.h"
#include "vulkan/vulkan_buffer.h"
#include "vulkan/vulkan_device.h"

namespace swaprun::vulkan {

struct VulkanOptions {
    int device = -1;    // a position in list_devices(); -1 for the best device
    bool fp16 = false;  // fp16 storage of weights and activations
    // With fp16: fp16 arithmetic in the convolution shader too. Unset: wherever the
    // device has it (shaderFloat16); tests set it to run both builds on one device.
    std::optional<bool> fp16_math;
    std::string pipeline_cache;  // a pipeline cache file to load, or empty
    // The convolution shader; unset: Direct on devices that are CPUs (lavapipe), Auto
    // on GPUs. Tests set it to run every shader on whatever device is present.
    std::optional<ConvAlgorithm> conv;
    DirectConvTile direct_conv_tile;
    TiledConvTile tiled_conv_tile;  // {0, 0, 0}: chosen per layer
    // Test hook: binds as if the device's maxStorageBufferRange were at most this many
    // bytes (0: the device's own), to exercise small-limit devices on any device.
    uint64_t max_storage_buffer_range = 0;
};

class VulkanContext final : public exec::ExecutionContext {
  public:
    // Throws swaprun::Error: Unsupported without a loader or a usable device.
    VulkanContext(std::shared_ptr<const engine::LoadedModel> model, const VulkanOptions& options);
    ~VulkanContext() override;
    VulkanContext(const VulkanContext&) = delete;
    VulkanContext& operator=(const VulkanContext&) = delete;

    void set_input(std::string_view name, const float* data, size_t count) override;
    // With op_ms, each op's device time in ms from timestamp queries written between
    // the dispatches of the one submission (0 for ops the run skipped). Throws
    // swaprun::Error (Unsupported) where the queue cannot write timestamps.
    void run(std::vector<double>* op_ms = nullptr) override;
    std::span<const float> output(std::string_view name) const override;
    const engine::LoadedModel& model() const override { return *model_; }

    const DeviceInfo& device_info() const { return device_->info(); }
    bool fp16() const { return fp16_; }
    bool fp16_math() const { return device_->fp16_math(); }
    size_t dispatch_count() const { return dispatches_.size(); }
    void save_pipeline_cache(const std::string& path) const { pipelines_->save_cache(path); }

  private:
    // Where a tensor lives: a buffer and an element range.
    struct Location {
        VkBuffer buffer = VK_NULL_HANDLE;
        uint64_t offset = 0;  // elements
        uint64_t count = 0;
    };
    struct Recorded {
        Dispatch dispatch;
        size_t op = 0;
        uint32_t params_base = 0;
        VkDescriptorSet set = VK_NULL_HANDLE;
        VkPipeline pipeline = VK_NULL_HANDLE;
    };

    void upload_weights();
    void build_dispatches();
    // Copies `bytes` to dst at dst_offset through the staging buffer, in pieces;
    // fill(staging, first, n) writes source bytes [first, first + n).
    template <class Fill>
    void upload(VkBuffer dst, uint64_t dst_offset, uint64_t bytes, Fill fill);
    VkDescriptorBufferInfo bind(const Location& where, int32_t& element_delta) const;
    VkCommandBuffer command_buffer(const std::vector<bool>& skip, bool profiled);
    void record(VkCommandBuffer cmd, const std::vector<bool>& skip, bool profiled) const;
    // Sums the device time between the timestamps around each recorded dispatch per op.
    void read_op_times(const std::vector<bool>& skip, std::vector<double>& op_ms) const;
    void submit_and_wait(VkCommandBuffer cmd);

    std::shared_ptr<const engine::LoadedModel> model_;
    std::shared_ptr<VulkanDevice> device_;  // destroyed after everything made on it
    bool fp16_ = false;
    uint64_t element_bytes_ = 4;
    EncodeSettings encode_settings_;
    uint64_t max_binding_bytes_ = 0;  // the storage buffer range a binding may span
    std::unique_ptr<PipelineSet> pipelines_;
    VulkanBuffer arena_, weights_, params_, staging_;
    VulkanBuffer scratch_;  // partial sums of convolutions split over K; empty if none
    UniqueDescriptorPool descriptor_pool_;
    UniqueCommandPool command_pool_;
    UniqueFence fence_;
    UniqueQueryPool timestamps_;  // one before the dispatches and one after each
    VkCommandBuffer upload_cmd_ = VK_NULL_HANDLE;

    std::vector<Location> where_;  // per tensor
    std::vector<Recorded> dispatches_;
    std::vector<uint64_t> input_staging_, output_staging_;  // byte offsets in staging
    // Per skip set and profiling choice.
    std::map<std::pair<std::vector<bool>, bool>, VkCommandBuffer> recorded_;
    std::vector<std::vector<float>> outputs_;

    exec::InputState inputs_;
};

}  // namespace swaprun::vulkan
