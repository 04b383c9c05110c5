// A VkBuffer with its own memory: device-local storage (weights, activations,
// parameters) or a persistently mapped host-visible staging area.
#pragma once

#include <cstdint>

#include "vulkan/vk_handle.h"
#include "vulkan/vulkan_device.h"

namespace swaprun::vulkan {

class VulkanBuffer {
  public:
    enum class Kind { Device, Staging };

    VulkanBuffer() = default;
    // Throws swaprun::Error (OutOfMemory when no memory type fits). A size of 0
    // makes a one-word buffer: Vulkan has no empty buffers.
    VulkanBuffer(const VulkanDevice& device, uint64_t bytes, Kind kind);

    VkBuffer get() const { return buffer_.get(); }
    uint64_t bytes() const { return bytes_; }
    // The mapping of a staging buffer (null for a device buffer).
    void* mapped() const { return mapped_; }

  private:
    UniqueBuffer buffer_;
    UniqueMemory memory_;
    uint64_t bytes_ = 0;
    void* mapped_ = nullptr;  // unmapped by vkFreeMemory
};

}  // namespace swaprun::vulkan
