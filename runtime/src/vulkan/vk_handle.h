// Move-only owners of device-level Vulkan objects: each destroys its handle with the
// device that made it, so no object outlives or leaks past its owner.
#pragma once

#include <utility>

#include "vulkan/vk_common.h"

namespace swaprun::vulkan {

template <class T, class Destroy>
class DeviceHandle {
  public:
    DeviceHandle() = default;
    DeviceHandle(VkDevice device, T handle) : device_(device), handle_(handle) {}
    DeviceHandle(DeviceHandle&& other) noexcept
        : device_(other.device_), handle_(std::exchange(other.handle_, VK_NULL_HANDLE)) {}
    DeviceHandle& operator=(DeviceHandle&& other) noexcept {
        if (this != &other) {
            reset();
            device_ = other.device_;
            handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
        }
        return *this;
    }
    DeviceHandle(const DeviceHandle&) = delete;
    DeviceHandle& operator=(const DeviceHandle&) = delete;
    ~DeviceHandle() { reset(); }

    T get() const { return handle_; }
    explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
    void reset() {
        if (handle_ != VK_NULL_HANDLE) Destroy{}(device_, handle_);
        handle_ = VK_NULL_HANDLE;
    }

  private:
    VkDevice device_ = VK_NULL_HANDLE;
    T handle_ = VK_NULL_HANDLE;
};

#define SWR_VK_DESTROYER(Name, Type, call)                                 \
    struct Name {                                                          \
        void operator()(VkDevice d, Type h) const { call(d, h, nullptr); } \
    }

SWR_VK_DESTROYER(DestroyBuffer, VkBuffer, vkDestroyBuffer);
SWR_VK_DESTROYER(FreeMemory, VkDeviceMemory, vkFreeMemory);
SWR_VK_DESTROYER(DestroyShaderModule, VkShaderModule, vkDestroyShaderModule);
SWR_VK_DESTROYER(DestroyPipeline, VkPipeline, vkDestroyPipeline);
SWR_VK_DESTROYER(DestroyPipelineLayout, VkPipelineLayout, vkDestroyPipelineLayout);
SWR_VK_DESTROYER(DestroyPipelineCache, VkPipelineCache, vkDestroyPipelineCache);
SWR_VK_DESTROYER(DestroySetLayout, VkDescriptorSetLayout, vkDestroyDescriptorSetLayout);
SWR_VK_DESTROYER(DestroyDescriptorPool, VkDescriptorPool, vkDestroyDescriptorPool);
SWR_VK_DESTROYER(DestroyCommandPool, VkCommandPool, vkDestroyCommandPool);
SWR_VK_DESTROYER(DestroyFence, VkFence, vkDestroyFence);
SWR_VK_DESTROYER(DestroyQueryPool, VkQueryPool, vkDestroyQueryPool);

#undef SWR_VK_DESTROYER

using UniqueBuffer = DeviceHandle<VkBuffer, DestroyBuffer>;
using UniqueMemory = DeviceHandle<VkDeviceMemory, FreeMemory>;
using UniqueShaderModule = DeviceHandle<VkShaderModule, DestroyShaderModule>;
using UniquePipeline = DeviceHandle<VkPipeline, DestroyPipeline>;
using UniquePipelineLayout = DeviceHandle<VkPipelineLayout, DestroyPipelineLayout>;
using UniquePipelineCache = DeviceHandle<VkPipelineCache, DestroyPipelineCache>;
using UniqueSetLayout = DeviceHandle<VkDescriptorSetLayout, DestroySetLayout>;
using UniqueDescriptorPool = DeviceHandle<VkDescriptorPool, DestroyDescriptorPool>;
using UniqueCommandPool = DeviceHandle<VkCommandPool, DestroyCommandPool>;
using UniqueFence = DeviceHandle<VkFence, DestroyFence>;
using UniqueQueryPool = DeviceHandle<VkQueryPool, DestroyQueryPool>;

}  // namespace swaprun::vulkan
