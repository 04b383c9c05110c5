#include "vulkan/vulkan_buffer.h"

#include <algorithm>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::vulkan {
namespace {

// The first memory type allowed by `bits` with all of `wanted`, else -1.
int find_memory_type(const VkPhysicalDeviceMemoryProperties& memory, uint32_t bits,
                     VkMemoryPropertyFlags wanted) {
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
        if ((bits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & wanted) == wanted) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

}  // namespace

VulkanBuffer::VulkanBuffer(const VulkanDevice& device, uint64_t bytes, Kind kind) : bytes_(bytes) {
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = std::max<uint64_t>(bytes, 4);
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    vk_check(vkCreateBuffer(device.device(), &info, nullptr, &buffer), "vkCreateBuffer");
    buffer_ = UniqueBuffer(device.device(), buffer);

    VkMemoryRequirements needs{};
    vkGetBufferMemoryRequirements(device.device(), buffer, &needs);
    int type = -1;
    if (kind == Kind::Device) {
        type = find_memory_type(device.memory(), needs.memoryTypeBits,
                                VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        if (type < 0) type = find_memory_type(device.memory(), needs.memoryTypeBits, 0);
    } else {
        // Cached host memory makes reading the outputs back fast; coherent spares
        // flushes.
        const VkMemoryPropertyFlags host =
            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        type = find_memory_type(device.memory(), needs.memoryTypeBits,
                                host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
        if (type < 0) type = find_memory_type(device.memory(), needs.memoryTypeBits, host);
    }
    if (type < 0) {
        throw Error(ErrorKind::OutOfMemory,
                    str_cat("Vulkan: no memory type for a buffer of ", bytes, " bytes"));
    }
    VkMemoryAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    allocate.allocationSize = needs.size;
    allocate.memoryTypeIndex = static_cast<uint32_t>(type);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    vk_check(vkAllocateMemory(device.device(), &allocate, nullptr, &memory), "vkAllocateMemory");
    memory_ = UniqueMemory(device.device(), memory);
    vk_check(vkBindBufferMemory(device.device(), buffer, memory, 0), "vkBindBufferMemory");
    if (kind == Kind::Staging) {
        vk_check(vkMapMemory(device.device(), memory, 0, VK_WHOLE_SIZE, 0, &mapped_),
                 "vkMapMemory");
    }
}

}  // namespace swaprun::vulkan
