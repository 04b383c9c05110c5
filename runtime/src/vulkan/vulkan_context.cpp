#include "vulkan/vulkan_context.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/error.h"
#include "util/str_cat.h"
#include "vulkan/half_convert.h"

namespace swaprun::vulkan {

using format::TensorRole;

namespace {

// Weights go up through the staging buffer in pieces of at most this size.
constexpr uint64_t kUploadPiece = 16ull << 20;
// Words before each dispatch's arguments: the element offsets of the output and the
// inputs inside their bound ranges (shaders/common.glsl), then padding.
constexpr uint32_t kHeaderWords = 8;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// Converts floats into the storage precision at dst.
void store_elements(void* dst, const float* src, size_t count, bool fp16) {
    if (fp16) {
        floats_to_halves(src, static_cast<uint16_t*>(dst), count);
    } else {
        std::memcpy(dst, src, count * sizeof(float));
    }
}

void load_elements(float* dst, const void* src, size_t count, bool fp16) {
    if (fp16) {
        halves_to_floats(static_cast<const uint16_t*>(src), dst, count);
    } else {
        std::memcpy(dst, src, count * sizeof(float));
    }
}

void barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src,
             VkPipelineStageFlags dst_stage, VkAccessFlags dst) {
    VkMemoryBarrier b{};
    b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    b.srcAccessMask = src;
    b.dstAccessMask = dst;
    vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &b, 0, nullptr, 0, nullptr);
}

}  // namespace

VulkanContext::VulkanContext(std::shared_ptr<const engine::LoadedModel> model,
                             const VulkanOptions& options)
    : model_(exec::require_model(std::move(model), "VulkanContext")),
      fp16_(options.fp16),
      element_bytes_(options.fp16 ? 2 : 4),
      inputs_(*model_) {
    device_ = VulkanDevice::open(options.device, options.fp16,
                                 options.fp16 ? options.fp16_math : std::optional<bool>(false));
    const auto& max = device_->limits().maxComputeWorkGroupCount;
    encode_settings_.max_groups = {max[0], max[1], max[2]};
    encode_settings_.conv = options.conv.value_or(
        device_->info().type == "cpu" ? ConvAlgorithm::Direct : ConvAlgorithm::Auto);
    encode_settings_.tile = options.direct_conv_tile;
    encode_settings_.tiled = options.tiled_conv_tile;
    max_binding_bytes_ = device_->limits().maxStorageBufferRange;
    if (options.max_storage_buffer_range > 0) {
        max_binding_bytes_ = std::min(max_binding_bytes_, options.max_storage_buffer_range);
    }
    const ShaderPrecision precision = !fp16_        ? ShaderPrecision::Fp32
                                      : fp16_math() ? ShaderPrecision::Fp16Math
                                                    : ShaderPrecision::Fp16Storage;
    pipelines_ = std::make_unique<PipelineSet>(device_, precision, options.pipeline_cache);
    const VkDevice d = device_->device();

    VkCommandPoolCreateInfo pool_info{};
    pool_info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = device_->queue_family();
    VkCommandPool pool = VK_NULL_HANDLE;
    vk_check(vkCreateCommandPool(d, &pool_info, nullptr, &pool), "vkCreateCommandPool");
    command_pool_ = UniqueCommandPool(d, pool);
    VkFenceCreateInfo fence_info{};
    fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    VkFence fence = VK_NULL_HANDLE;
    vk_check(vkCreateFence(d, &fence_info, nullptr, &fence), "vkCreateFence");
    fence_ = UniqueFence(d, fence);
    VkCommandBufferAllocateInfo cmd_info{};
    cmd_info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cmd_info.commandPool = pool;
    cmd_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmd_info.commandBufferCount = 1;
    vk_check(vkAllocateCommandBuffers(d, &cmd_info, &upload_cmd_), "vkAllocateCommandBuffers");

    // The plan's byte offsets are for floats; halving them for fp16 keeps every
    // tensor apart, as every tensor halves too.
    const auto& description = model_->description();
    const auto& plan = model_->plan();
    const uint64_t arena_bytes = plan.arena_bytes / sizeof(float) * element_bytes_;
    arena_ = VulkanBuffer(*device_, arena_bytes, VulkanBuffer::Kind::Device);

    // Staging: the inputs, then the outputs, each region aligned for copies.
    uint64_t io_bytes = 0;
    for (uint32_t t : description.inputs) {
        input_staging_.push_back(io_bytes);
        io_bytes = align_up(io_bytes + description.tensors[t].elements() * element_bytes_, 16);
    }
    for (uint32_t t : description.outputs) {
        output_staging_.push_back(io_bytes);
        io_bytes = align_up(io_bytes + description.tensors[t].elements() * element_bytes_, 16);
        outputs_.emplace_back(static_cast<size_t>(description.tensors[t].elements()));
    }
    staging_ =
        VulkanBuffer(*device_, std::max(io_bytes, kUploadPiece), VulkanBuffer::Kind::Staging);

    where_.resize(description.tensors.size());
    for (size_t t = 0; t < description.tensors.size(); ++t) {
        const auto& tensor = description.tensors[t];
        if (tensor.role == TensorRole::Activation || tensor.role == TensorRole::Input) {
            if (plan.tensor_offset[t] == plan::kNoSlot) continue;
            where_[t] = {arena_.get(), plan.tensor_offset[t] / sizeof(float),
                         static_cast<uint64_t>(tensor.elements())};
        }
    }
    upload_weights();
    build_dispatches();
    if (device_->timestamp_valid_bits() > 0) {
        VkQueryPoolCreateInfo query_info{};
        query_info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
        query_info.queryType = VK_QUERY_TYPE_TIMESTAMP;
        query_info.queryCount = static_cast<uint32_t>(dispatches_.size() + 1);
        VkQueryPool query_pool = VK_NULL_HANDLE;
        vk_check(vkCreateQueryPool(d, &query_info, nullptr, &query_pool), "vkCreateQueryPool");
        timestamps_ = UniqueQueryPool(d, query_pool);
    }
}

VulkanContext::~VulkanContext() {
    if (device_) vkQueueWaitIdle(device_->queue());
}

template <class Fill>
void VulkanContext::upload(VkBuffer dst, uint64_t dst_offset, uint64_t bytes, Fill fill) {
    for (uint64_t first = 0; first < bytes; first += kUploadPiece) {
        const uint64_t n = std::min(kUploadPiece, bytes - first);
        fill(staging_.mapped(), first, n);
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        vk_check(vkBeginCommandBuffer(upload_cmd_, &begin), "vkBeginCommandBuffer");
        const VkBufferCopy region{0, dst_offset + first, n};
        vkCmdCopyBuffer(upload_cmd_, staging_.get(), dst, 1, &region);
        vk_check(vkEndCommandBuffer(upload_cmd_), "vkEndCommandBuffer");
        submit_and_wait(upload_cmd_);
    }
}

void VulkanContext::upload_weights() {
    const auto& description = model_->description();
    // Each constant starts at the device's binding alignment, so most bind with no
    // offset inside their range.
    const uint64_t alignment =
        std::max<uint64_t>(device_->limits().minStorageBufferOffsetAlignment, 16);
    uint64_t bytes = 0;
    std::vector<uint64_t> offset(description.tensors.size(), 0);
    for (size_t t = 0; t < description.tensors.size(); ++t) {
        if (description.tensors[t].role != TensorRole::Constant) continue;
        offset[t] = bytes;
        bytes = align_up(bytes + description.tensors[t].elements() * element_bytes_, alignment);
    }
    weights_ = VulkanBuffer(*device_, bytes, VulkanBuffer::Kind::Device);
    for (size_t t = 0; t < description.tensors.size(); ++t) {
        const auto& tensor = description.tensors[t];
        if (tensor.role != TensorRole::Constant) continue;
        const uint64_t count = static_cast<uint64_t>(tensor.elements());
        where_[t] = {weights_.get(), offset[t] / element_bytes_, count};
        const float* src = tensor.data.data();
        const uint64_t es = element_bytes_;
        upload(weights_.get(), offset[t], count * es,
               [&](void* staging, uint64_t first, uint64_t n) {
                   store_elements(staging, src + first / es, static_cast<size_t>(n / es), fp16_);
               });
    }
}

VkDescriptorBufferInfo VulkanContext::bind(const Location& where, int32_t& element_delta) const {
    const uint64_t alignment =
        std::max<uint64_t>(device_->limits().minStorageBufferOffsetAlignment, 1);
    const uint64_t byte = where.offset * element_bytes_;
    const uint64_t start = byte / alignment * alignment;
    const uint64_t range = byte - start + std::max<uint64_t>(where.count, 1) * element_bytes_;
    // Buffers may be larger than the range: each tensor is bound as its own range.
    if (range > max_binding_bytes_) {
        throw Error(ErrorKind::Unsupported,
                    str_cat("Vulkan: a tensor of ", where.count, " elements (", range,
                            " bytes bound) exceeds the device's ", max_binding_bytes_,
                            "-byte storage buffer range"));
    }
    element_delta = static_cast<int32_t>((byte - start) / element_bytes_);
    return {where.buffer, start, range};
}

void VulkanContext::build_dispatches() {
    const auto& ops = model_->graph().ops;
    std::vector<int32_t> words;
    for (size_t k = 0; k < ops.size(); ++k) {
        for (Dispatch& d : encode_op(ops[k], encode_settings_)) {
            // A Reshape planned in place has nothing to copy.
            if (ops[k].type == OpType::Reshape &&
                where_[d.inputs[0]].buffer == where_[d.output].buffer &&
                where_[d.inputs[0]].offset == where_[d.output].offset) {
                continue;
            }
            Recorded r;
            r.op = k;
            r.params_base = static_cast<uint32_t>(words.size());
            r.pipeline = pipelines_->get(d.shader, d.activation, d.constants);
            words.resize(words.size() + kHeaderWords, 0);
            words.insert(words.end(), d.args.begin(), d.args.end());
            r.dispatch = std::move(d);
            dispatches_.push_back(std::move(r));
        }
    }
    params_ = VulkanBuffer(*device_, words.size() * sizeof(int32_t), VulkanBuffer::Kind::Device);
    // One scratch buffer for every convolution split over K: they run one after another.
    uint64_t scratch_elements = 0;
    for (const Recorded& r : dispatches_) {
        scratch_elements = std::max(scratch_elements, r.dispatch.scratch_elements);
    }
    if (scratch_elements > 0) {
        scratch_ =
            VulkanBuffer(*device_, scratch_elements * element_bytes_, VulkanBuffer::Kind::Device);
    }
    const auto location = [&](uint32_t t, const Dispatch& d) {
        return t == kScratchTensor ? Location{scratch_.get(), 0, d.scratch_elements} : where_[t];
    };

    const VkDevice dev = device_->device();
    const auto sets = static_cast<uint32_t>(std::max<size_t>(dispatches_.size(), 1));
    const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, sets * kBindingCount};
    VkDescriptorPoolCreateInfo pool_info{};
    pool_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pool_info.maxSets = sets;
    pool_info.poolSizeCount = 1;
    pool_info.pPoolSizes = &size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    vk_check(vkCreateDescriptorPool(dev, &pool_info, nullptr, &pool), "vkCreateDescriptorPool");
    descriptor_pool_ = UniqueDescriptorPool(dev, pool);

    const VkDescriptorSetLayout layout = pipelines_->set_layout();
    for (Recorded& r : dispatches_) {
        VkDescriptorSetAllocateInfo alloc{};
        alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        alloc.descriptorPool = pool;
        alloc.descriptorSetCount = 1;
        alloc.pSetLayouts = &layout;
        vk_check(vkAllocateDescriptorSets(dev, &alloc, &r.set), "vkAllocateDescriptorSets");

        std::array<VkDescriptorBufferInfo, kBindingCount> infos{};
        infos[0] = {params_.get(), 0, VK_WHOLE_SIZE};
        int32_t* header = words.data() + r.params_base;
        infos[1] = bind(location(r.dispatch.output, r.dispatch), header[0]);
        for (uint32_t s = 0; s < kMaxInputs; ++s) {
            const uint32_t t = r.dispatch.inputs[s];
            // An unused binding still needs a valid buffer: the parameters serve.
            infos[2 + s] = t == kNoTensor ? infos[0] : bind(location(t, r.dispatch), header[1 + s]);
        }
        std::array<VkWriteDescriptorSet, kBindingCount> writes{};
        for (uint32_t b = 0; b < kBindingCount; ++b) {
            writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
            writes[b].dstSet = r.set;
            writes[b].dstBinding = b;
            writes[b].descriptorCount = 1;
            writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            writes[b].pBufferInfo = &infos[b];
        }
        vkUpdateDescriptorSets(dev, kBindingCount, writes.data(), 0, nullptr);
    }
    upload(params_.get(), 0, words.size() * sizeof(int32_t),
           [&](void* staging, uint64_t first, uint64_t n) {
               std::memcpy(staging, reinterpret_cast<const char*>(words.data()) + first, n);
           });
}

void VulkanContext::record(VkCommandBuffer cmd, const std::vector<bool>& skip,
                           bool profiled) const {
    const auto& description = model_->description();
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    vk_check(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
    if (profiled) {
        vkCmdResetQueryPool(cmd, timestamps_.get(), 0,
                            static_cast<uint32_t>(dispatches_.size() + 1));
    }

    for (size_t i = 0; i < description.inputs.size(); ++i) {
        const Location& w = where_[description.inputs[i]];
        const VkBufferCopy region{input_staging_[i], w.offset * element_bytes_,
                                  w.count * element_bytes_};
        vkCmdCopyBuffer(cmd, staging_.get(), w.buffer, 1, &region);
    }
    barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);

    // A timestamp at the compute stage is written once every earlier command has
    // finished that stage; with the barriers between dispatches, the difference of two
    // consecutive ones is one dispatch's time.
    uint32_t query = 0;
    if (profiled) {
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, timestamps_.get(), query++);
    }
    VkPipeline bound = VK_NULL_HANDLE;
    for (const Recorded& r : dispatches_) {
        if (skip[r.op]) continue;
        if (r.pipeline != bound) {
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, r.pipeline);
            bound = r.pipeline;
        }
        vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipelines_->layout(), 0, 1,
                                &r.set, 0, nullptr);
        vkCmdPushConstants(cmd, pipelines_->layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           sizeof(uint32_t), &r.params_base);
        vkCmdDispatch(cmd, r.dispatch.groups[0], r.dispatch.groups[1], r.dispatch.groups[2]);
        // Every dispatch reads what earlier ones wrote, and may overwrite memory an
        // earlier one read (the plan reuses it): a full barrier between them.
        barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        if (profiled) {
            vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, timestamps_.get(),
                                query++);
        }
    }

    barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
            VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    for (size_t i = 0; i < description.outputs.size(); ++i) {
        const Location& w = where_[description.outputs[i]];
        const VkBufferCopy region{w.offset * element_bytes_, output_staging_[i],
                                  w.count * element_bytes_};
        vkCmdCopyBuffer(cmd, w.buffer, staging_.get(), 1, &region);
    }
    barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
            VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    vk_check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
}

void VulkanContext::read_op_times(const std::vector<bool>& skip, std::vector<double>& op_ms) const {
    std::vector<size_t> recorded_ops;
    for (const Recorded& r : dispatches_) {
        if (!skip[r.op]) recorded_ops.push_back(r.op);
    }
    std::vector<uint64_t> ticks(recorded_ops.size() + 1);
    vk_check(vkGetQueryPoolResults(device_->device(), timestamps_.get(), 0,
                                   static_cast<uint32_t>(ticks.size()),
                                   ticks.size() * sizeof(uint64_t), ticks.data(), sizeof(uint64_t),
                                   VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
             "vkGetQueryPoolResults");
    const uint32_t bits = device_->timestamp_valid_bits();
    const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    const double ns_per_tick = device_->limits().timestampPeriod;
    for (size_t j = 0; j < recorded_ops.size(); ++j) {
        // Masked subtraction: right across a counter that wrapped.
        const uint64_t delta = (ticks[j + 1] - ticks[j]) & mask;
        op_ms[recorded_ops[j]] += static_cast<double>(delta) * ns_per_tick * 1e-6;
    }
}

VkCommandBuffer VulkanContext::command_buffer(const std::vector<bool>& skip, bool profiled) {
    const auto key = std::make_pair(skip, profiled);
    if (auto it = recorded_.find(key); it != recorded_.end()) return it->second;
    VkCommandBufferAllocateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    info.commandPool = command_pool_.get();
    info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    info.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    vk_check(vkAllocateCommandBuffers(device_->device(), &info, &cmd), "vkAllocateCommandBuffers");
    record(cmd, skip, profiled);
    recorded_.emplace(key, cmd);  // freed with the pool
    return cmd;
}

void VulkanContext::submit_and_wait(VkCommandBuffer cmd) {
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    const VkFence fence = fence_.get();
    vk_check(vkQueueSubmit(device_->queue(), 1, &submit, fence), "vkQueueSubmit");
    vk_check(vkWaitForFences(device_->device(), 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    vk_check(vkResetFences(device_->device(), 1, &fence), "vkResetFences");
}

void VulkanContext::set_input(std::string_view name, const float* data, size_t count) {
    const size_t index = inputs_.checked_input(name, data, count);
    store_elements(static_cast<char*>(staging_.mapped()) + input_staging_[index], data, count,
                   fp16_);
    inputs_.set(index);
}

void VulkanContext::run(std::vector<double>* op_ms) {
    if (op_ms != nullptr && !timestamps_) {
        throw Error(ErrorKind::Unsupported,
                    str_cat("Vulkan device ", device_->info().name,
                            ": its compute queue cannot write timestamps, so ops cannot be timed"));
    }
    inputs_.check_all_set();
    // As the CPU context: ops depending only on inputs unchanged since a completed
    // run keep their results, which stay in the arena.
    const auto& reuse = model_->plan().reuse;
    const size_t op_count = model_->graph().ops.size();
    std::vector<bool> skip(op_count, false);
    for (size_t k = 0; k < op_count; ++k) skip[k] = inputs_.still_valid(reuse, k);
    inputs_.start_run();
    submit_and_wait(command_buffer(skip, op_ms != nullptr));
    for (size_t i = 0; i < outputs_.size(); ++i) {
        load_elements(outputs_[i].data(),
                      static_cast<const char*>(staging_.mapped()) + output_staging_[i],
                      outputs_[i].size(), fp16_);
    }
    if (op_ms) {
        op_ms->assign(op_count, 0.0);
        read_op_times(skip, *op_ms);
    }
    inputs_.finish_run();
}

std::span<const float> VulkanContext::output(std::string_view name) const {
    return outputs_[inputs_.checked_output(name)];
}

}  // namespace swaprun::vulkan
