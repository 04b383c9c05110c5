#include "vulkan/vulkan_device.h"

#include <cstring>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::vulkan {
namespace {

// The shaders' fixed workgroups (conv2d 16x16, adain 256) need this many invocations.
constexpr uint32_t kRequiredInvocations = 256;

// The instance asks for Vulkan 1.1, so 16-bit float arithmetic comes through its
// extension (core only from 1.2).
constexpr const char* kFloat16Extension = VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME;

bool has_device_extension(VkPhysicalDevice physical, const char* name) {
    uint32_t count = 0;
    if (vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr) != VK_SUCCESS) {
        return false;
    }
    std::vector<VkExtensionProperties> extensions(count);
    if (vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data()) !=
        VK_SUCCESS) {
        return false;
    }
    for (const VkExtensionProperties& e : extensions) {
        if (std::strcmp(e.extensionName, name) == 0) return true;
    }
    return false;
}

}  // namespace

// The process's one VkInstance. Every device listing and every opened device shares
// it: an instance per context made NVIDIA's driver refuse new instances
// (VK_ERROR_INCOMPATIBLE_DRIVER) once some twenty had come and gone, and volk's
// instance-level function pointers are process globals anyway.
class Instance {
  public:
    Instance() {
        VkApplicationInfo app{};
        app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
        app.pApplicationName = "swaprun";
        app.apiVersion = VK_API_VERSION_1_1;
        VkInstanceCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
        info.pApplicationInfo = &app;
        vk_check(vkCreateInstance(&info, nullptr, &instance_), "vkCreateInstance");
        volkLoadInstance(instance_);
    }
    ~Instance() { vkDestroyInstance(instance_, nullptr); }
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;
    VkInstance get() const { return instance_; }

    // Created on first use (the loader must be available) and never destroyed: a
    // vkDestroyInstance from a static destructor at exit crashed NVIDIA's driver, whose
    // own state was gone by then. Throws swaprun::Error where the loader finds no
    // driver; the next call tries again.
    static std::shared_ptr<const Instance> shared() {
        // A union member's destructor runs only when asked: the holder outlives exit.
        union Holder {
            std::shared_ptr<const Instance> instance;
            Holder() : instance() {}
            ~Holder() {}
        };
        static std::mutex mutex;
        static Holder holder;
        const std::lock_guard lock(mutex);
        if (!holder.instance) holder.instance = std::make_shared<const Instance>();
        return holder.instance;
    }

  private:
    VkInstance instance_ = VK_NULL_HANDLE;
};

namespace {

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
    uint32_t count = 0;
    vk_check(vkEnumeratePhysicalDevices(instance, &count, nullptr), "vkEnumeratePhysicalDevices");
    std::vector<VkPhysicalDevice> devices(count);
    vk_check(vkEnumeratePhysicalDevices(instance, &count, devices.data()),
             "vkEnumeratePhysicalDevices");
    devices.resize(count);
    return devices;
}

std::vector<VkQueueFamilyProperties> queue_families(VkPhysicalDevice physical) {
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families.data());
    return families;
}

std::optional<uint32_t> compute_queue_family(VkPhysicalDevice physical) {
    const auto families = queue_families(physical);
    for (uint32_t i = 0; i < families.size(); ++i) {
        if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) return i;
    }
    return std::nullopt;
}

const char* type_name(VkPhysicalDeviceType type) {
    switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            return "discrete";
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            return "integrated";
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            return "virtual";
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            return "cpu";
        default:
            return "other";
    }
}

DeviceInfo describe(VkPhysicalDevice physical) {
    VkPhysicalDeviceDriverProperties driver{};
    driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
    VkPhysicalDeviceSubgroupProperties subgroup{};
    subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
    VkPhysicalDeviceProperties2 properties{};
    properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    properties.pNext = &subgroup;
    VkPhysicalDeviceProperties basic{};
    vkGetPhysicalDeviceProperties(physical, &basic);
    // The driver properties struct is Vulkan 1.2; chaining it on an older device is
    // not allowed.
    const bool has_driver_properties = basic.apiVersion >= VK_API_VERSION_1_2;
    if (has_driver_properties) subgroup.pNext = &driver;
    vkGetPhysicalDeviceProperties2(physical, &properties);
    const auto& p = properties.properties;

    VkPhysicalDevice16BitStorageFeatures storage16{};
    storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    // Chained only where the extension is there to describe it.
    VkPhysicalDeviceShaderFloat16Int8FeaturesKHR float16{};
    float16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES_KHR;
    const bool has_float16_extension = has_device_extension(physical, kFloat16Extension);
    if (has_float16_extension) storage16.pNext = &float16;
    VkPhysicalDeviceFeatures2 features{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    features.pNext = &storage16;
    vkGetPhysicalDeviceFeatures2(physical, &features);

    VkPhysicalDeviceMemoryProperties memory{};
    vkGetPhysicalDeviceMemoryProperties(physical, &memory);

    DeviceInfo info;
    info.name = p.deviceName;
    info.type = type_name(p.deviceType);
    info.driver = has_driver_properties ? str_cat(driver.driverName, " ", driver.driverInfo)
                                        : str_cat("driver version ", p.driverVersion);
    info.api_version = p.apiVersion;
    info.fp16_storage = storage16.storageBuffer16BitAccess == VK_TRUE;
    info.fp16_math = has_float16_extension && float16.shaderFloat16 == VK_TRUE;
    info.subgroup_size = subgroup.subgroupSize;
    info.max_shared_memory = p.limits.maxComputeSharedMemorySize;
    info.max_invocations = p.limits.maxComputeWorkGroupInvocations;
    info.max_storage_buffer_range = p.limits.maxStorageBufferRange;
    for (uint32_t h = 0; h < memory.memoryHeapCount; ++h) {
        if (memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
            info.device_local_bytes += memory.memoryHeaps[h].size;
        }
    }
    info.usable = compute_queue_family(physical).has_value() &&
                  p.limits.maxComputeWorkGroupInvocations >= kRequiredInvocations &&
                  p.limits.maxComputeWorkGroupSize[0] >= kRequiredInvocations &&
                  p.limits.maxComputeWorkGroupSize[1] >= 16 && p.apiVersion >= VK_API_VERSION_1_1;
    return info;
}

int type_rank(const std::string& type) {
    if (type == "discrete") return 4;
    if (type == "integrated") return 3;
    if (type == "virtual") return 2;
    if (type == "cpu") return 1;
    return 0;
}

}  // namespace

bool loader_available() {
    static const bool available = volkInitialize() == VK_SUCCESS;
    return available;
}

std::vector<DeviceInfo> list_devices() {
    if (!loader_available()) return {};
    try {
        const auto instance = Instance::shared();
        std::vector<DeviceInfo> devices;
        for (VkPhysicalDevice physical : physical_devices(instance->get())) {
            devices.push_back(describe(physical));
        }
        return devices;
    } catch (const Error&) {
        return {};  // a loader without any driver fails instance creation
    }
}

int best_device(const std::vector<DeviceInfo>& devices) {
    int best = -1;
    for (size_t i = 0; i < devices.size(); ++i) {
        if (!devices[i].usable) continue;
        if (best < 0 || type_rank(devices[i].type) > type_rank(devices[best].type)) {
            best = static_cast<int>(i);
        }
    }
    return best;
}

std::shared_ptr<VulkanDevice> VulkanDevice::open(int index, bool fp16,
                                                 std::optional<bool> fp16_math_asked) {
    if (!loader_available()) {
        throw Error(ErrorKind::Unsupported,
                    "Vulkan: no Vulkan loader (libvulkan.so.1) could be loaded");
    }
    const auto devices = list_devices();
    if (devices.empty()) {
        throw Error(ErrorKind::Unsupported, "Vulkan: no Vulkan device is present");
    }
    if (index < 0) {
        index = best_device(devices);
        if (index < 0) {
            throw Error(ErrorKind::Unsupported,
                        "Vulkan: no device has a compute queue and 256-invocation workgroups");
        }
    } else if (static_cast<size_t>(index) >= devices.size()) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat("Vulkan device ", index, " does not exist (", devices.size(), " present)"));
    } else if (!devices[index].usable) {
        throw Error(ErrorKind::Unsupported,
                    str_cat("Vulkan device ", index, " (", devices[index].name,
                            ") lacks a compute queue or 256-invocation workgroups"));
    }
    if (fp16 && !devices[index].fp16_storage) {
        throw Error(ErrorKind::Unsupported,
                    str_cat("Vulkan device ", index, " (", devices[index].name,
                            ") does not support 16-bit storage buffers (fp16)"));
    }
    const bool fp16_math = fp16_math_asked.value_or(devices[index].fp16_math);
    if (fp16_math && !devices[index].fp16_math) {
        throw Error(ErrorKind::Unsupported,
                    str_cat("Vulkan device ", index, " (", devices[index].name,
                            ") does not support 16-bit float arithmetic in shaders"));
    }

    std::shared_ptr<VulkanDevice> d(new VulkanDevice());  // private constructor
    d->instance_ = Instance::shared();
    d->physical_ = physical_devices(d->instance_->get()).at(static_cast<size_t>(index));
    d->info_ = describe(d->physical_);
    d->fp16_math_ = fp16_math;
    d->queue_family_ = *compute_queue_family(d->physical_);
    d->timestamp_valid_bits_ = queue_families(d->physical_)[d->queue_family_].timestampValidBits;
    vkGetPhysicalDeviceProperties(d->physical_, &d->properties_);
    vkGetPhysicalDeviceMemoryProperties(d->physical_, &d->memory_);

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue{};
    queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue.queueFamilyIndex = d->queue_family_;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;
    VkPhysicalDevice16BitStorageFeatures storage16{};
    storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    storage16.storageBuffer16BitAccess = fp16 ? VK_TRUE : VK_FALSE;
    VkPhysicalDeviceShaderFloat16Int8FeaturesKHR float16{};
    float16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES_KHR;
    float16.shaderFloat16 = VK_TRUE;
    if (fp16_math) storage16.pNext = &float16;
    VkDeviceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    info.pNext = &storage16;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue;
    if (fp16_math) {
        info.enabledExtensionCount = 1;
        info.ppEnabledExtensionNames = &kFloat16Extension;
    }
    vk_check(vkCreateDevice(d->physical_, &info, nullptr, &d->device_), "vkCreateDevice");
    vkGetDeviceQueue(d->device_, d->queue_family_, 0, &d->queue_);
    return d;
}

VulkanDevice::~VulkanDevice() {
    if (device_ != VK_NULL_HANDLE) {
        vkDeviceWaitIdle(device_);
        vkDestroyDevice(device_, nullptr);
    }
    // instance_ is released after this body: the device goes before its instance.
}

}  // namespace swaprun::vulkan
