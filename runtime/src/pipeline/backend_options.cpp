#include "pipeline/backend_options.h"

#include <string>

#include "exec/cpu_context.h"
#include "util/error.h"
#include "vulkan/vulkan_context.h"

namespace swaprun::pipeline {

void check_backend_options(const BackendOptions& options) {
    if (options.device < 0) {
        throw Error(ErrorKind::InvalidArgument,
                    "device " + std::to_string(options.device) +
                        " (0 CPU, 1 the best Vulkan device, 2 + N Vulkan device N)");
    }
    if (options.precision < 0 || options.precision > 2) {
        throw Error(ErrorKind::InvalidArgument, "precision " + std::to_string(options.precision) +
                                                    " (0 fp32, 1 fp16, 2 bf16x3)");
    }
    if (options.device == 0 && options.precision == 1) {
        throw Error(ErrorKind::Unsupported, "the CPU runs fp32 or bf16x3 (fp16 is Vulkan only)");
    }
    if (options.device != 0 && options.precision == 2) {
        throw Error(ErrorKind::Unsupported,
                    "precision bf16x3 is the CPU's (fp32 or fp16 on Vulkan)");
    }
}

std::unique_ptr<exec::ExecutionContext> make_execution_context(
    std::shared_ptr<const engine::LoadedModel> model, const BackendOptions& options) {
    check_backend_options(options);
    if (options.device == 0) {
        // bf16x3 is how the model was packed as it loaded (format::ReadOptions::bf16x3):
        // the context itself is the same.
        return std::make_unique<exec::CpuContext>(std::move(model), options.threads);
    }
    vulkan::VulkanOptions vulkan;
    vulkan.device = options.device == 1 ? -1 : options.device - 2;
    vulkan.fp16 = options.precision == 1;
    return std::make_unique<vulkan::VulkanContext>(std::move(model), vulkan);
}

}  // namespace swaprun::pipeline
