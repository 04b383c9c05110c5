// Vulkan instance and device: finding the loader, listing the physical devices with
// what the backend cares about, and opening one with a compute queue.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vulkan/vk_common.h"

namespace swaprun::vulkan {

struct DeviceInfo {
    std::string name;
    std::string type;    // "discrete", "integrated", "virtual", "cpu", "other"
    std::string driver;  // driver name and info where the driver reports them
    uint32_t api_version = 0;
    bool fp16_storage = false;  // storageBuffer16BitAccess
    bool fp16_math = false;     // shaderFloat16 (VK_KHR_shader_float16_int8)
    uint32_t subgroup_size = 0;
    uint32_t max_shared_memory = 0;
    uint32_t max_invocations = 0;
    uint32_t max_storage_buffer_range = 0;
    uint64_t device_local_bytes = 0;
    bool usable = false;  // has a compute queue and the workgroup sizes the shaders use
};

// Whether the Vulkan loader could be loaded (once per process).
bool loader_available();
// Every physical device, in the loader's order; empty without a loader or driver.
std::vector<DeviceInfo> list_devices();
// The usable device a default request picks: discrete > integrated > virtual > cpu;
// -1 when there is none.
int best_device(const std::vector<DeviceInfo>& devices);

class Instance;

// One logical device, with its compute queue, on the process's shared instance. Not copyable;
// shared by whatever runs on it.
class VulkanDevice {
  public:
    // index: a position in list_devices(), or -1 for best_device(). fp16: 16-bit storage
    // buffers. fp16_math: 16-bit float arithmetic in shaders; unset, enabled where the
    // device has it. Throws swaprun::Error (Unsupported when there is no loader or no
    // such usable device, or a feature asked for is missing).
    static std::shared_ptr<VulkanDevice> open(int index, bool fp16,
                                              std::optional<bool> fp16_math = false);
    ~VulkanDevice();
    VulkanDevice(const VulkanDevice&) = delete;
    VulkanDevice& operator=(const VulkanDevice&) = delete;

    VkDevice device() const { return device_; }
    VkPhysicalDevice physical() const { return physical_; }
    VkQueue queue() const { return queue_; }
    uint32_t queue_family() const { return queue_family_; }
    // The compute queue's timestamp width in bits; 0 where it cannot write timestamps.
    uint32_t timestamp_valid_bits() const { return timestamp_valid_bits_; }
    const VkPhysicalDeviceLimits& limits() const { return properties_.limits; }
    const VkPhysicalDeviceMemoryProperties& memory() const { return memory_; }
    const DeviceInfo& info() const { return info_; }
    // Whether 16-bit float arithmetic was enabled on this device.
    bool fp16_math() const { return fp16_math_; }
    const VkPhysicalDeviceProperties& properties() const { return properties_; }

  private:
    VulkanDevice() = default;

    std::shared_ptr<const Instance> instance_;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queue_family_ = 0;
    uint32_t timestamp_valid_bits_ = 0;
    VkPhysicalDeviceProperties properties_{};
    VkPhysicalDeviceMemoryProperties memory_{};
    DeviceInfo info_;
    bool fp16_math_ = false;
};

}  // namespace swaprun::vulkan
