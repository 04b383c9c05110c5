// swaprun devices: the Vulkan devices present, with what decides how the backend
// runs on them, in the order --device vulkan:N counts them.
#include <iostream>

#include "kernels/conv2d_prepared.h"
#include "kernels/winograd_amx.h"
#include "tools/swaprun/commands.h"
#include "vulkan/vulkan_device.h"

namespace swaprun::cli {

int run_devices(const Command&) {
    std::cout << "cpu: the CPU kernels (--device cpu)\n  isa="
              << kernels::to_string(kernels::best_conv_isa()) << " bf16x3="
              << (kernels::winograd_amx::available()
                      ? "amx"
                      : "fp32 (no AMX-BF16 tiles with AVX512-BF16, or SWAPRUN_DISABLE_AMX set: "
                        "--precision bf16x3 runs as fp32)")
              << "\n";
    if (!vulkan::loader_available()) {
        std::cout << "vulkan: no Vulkan loader (libvulkan.so.1) found\n";
        return 0;
    }
    const auto devices = vulkan::list_devices();
    if (devices.empty()) {
        std::cout << "vulkan: no device (is a Vulkan driver installed? e.g. mesa-vulkan-drivers; "
                     "VK_ICD_FILENAMES selects drivers)\n";
        return 0;
    }
    const int best = vulkan::best_device(devices);
    for (size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        std::cout << "vulkan:" << i << ": " << d.name
                  << (static_cast<int>(i) == best ? " (best)" : "")
                  << (d.usable ? "" : " (unusable: no compute queue or 256-invocation workgroups)")
                  << "\n  type=" << d.type << " driver=" << d.driver
                  << " api=" << (d.api_version >> 22) << "." << ((d.api_version >> 12) & 0x3ff)
                  << "." << (d.api_version & 0xfff)
                  << "\n  fp16_storage=" << (d.fp16_storage ? "yes" : "no")
                  << " fp16_math=" << (d.fp16_math ? "yes" : "no")
                  << " subgroup_size=" << d.subgroup_size
                  << " max_shared_memory=" << d.max_shared_memory
                  << " max_invocations=" << d.max_invocations
                  << " max_storage_buffer_range=" << d.max_storage_buffer_range
                  << " device_local_mib=" << (d.device_local_bytes >> 20) << "\n";
    }
    return 0;
}

}  // namespace swaprun::cli
