// C API: contexts (inputs, runs, outputs).
#include <algorithm>
#include <string>
#include <vector>

#include "api/api_handles.h"
#include "api/api_status.h"
#include "exec/cpu_context.h"
#include "util/log.h"
#include "vulkan/vulkan_context.h"
#include "vulkan/vulkan_device.h"

using swaprun::Error;
using swaprun::ErrorKind;
using swaprun::api::guarded;
using swaprun::api::require;

extern "C" {

swr_status swr_context_create(const swr_model* model, const swr_context_options* options,
                              swr_context** out_context) {
    return guarded([&] {
        require(out_context, "swr_context_create", "out_context");
        *out_context = nullptr;
        require(model, "swr_context_create", "model");
        if (options != nullptr && options->struct_size == 0) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_context_create: options->struct_size is 0 (set it to "
                        "sizeof(swr_context_options))");
        }
        const int32_t threads =
            swaprun::api::option_field(options, &swr_context_options::threads, 0);
        const int32_t device =
            swaprun::api::option_field(options, &swr_context_options::device, SWR_DEVICE_CPU);
        const int32_t precision = swaprun::api::option_field(
            options, &swr_context_options::precision, SWR_PRECISION_FP32);
        if (device < 0) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_context_create: device " + std::to_string(device) +
                            " (0 CPU, 1 the best Vulkan device, 2 + N Vulkan device N)");
        }
        if (precision == SWR_PRECISION_BF16X3) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_context_create: precision 2 (bf16x3) is chosen when the model "
                        "opens: swr_model_options.cpu_precision");
        }
        if (precision != SWR_PRECISION_FP32 && precision != SWR_PRECISION_FP16) {
            throw Error(
                ErrorKind::InvalidArgument,
                "swr_context_create: precision " + std::to_string(precision) + " (0 fp32, 1 fp16)");
        }
        auto handle = std::make_unique<swr_context>();
        if (device == SWR_DEVICE_CPU) {
            if (precision != SWR_PRECISION_FP32) {
                throw Error(ErrorKind::Unsupported,
                            "swr_context_create: the CPU runs fp32 only (fp16 is Vulkan only)");
            }
            handle->context = std::make_unique<swaprun::exec::CpuContext>(model->model, threads);
        } else {
            swaprun::vulkan::VulkanOptions vulkan;
            vulkan.device = device == SWR_DEVICE_VULKAN ? -1 : device - SWR_DEVICE_VULKAN_0;
            vulkan.fp16 = precision == SWR_PRECISION_FP16;
            const bool cpu_fallback =
                swaprun::api::option_field(options, &swr_context_options::cpu_fallback, 0) != 0;
            const char* cache = swaprun::api::option_field(
                options, &swr_context_options::pipeline_cache, static_cast<const char*>(nullptr));
            if (cache != nullptr) vulkan.pipeline_cache = cache;
            try {
                auto context =
                    std::make_unique<swaprun::vulkan::VulkanContext>(model->model, vulkan);
                if (!vulkan.pipeline_cache.empty()) {
                    try {
                        context->save_pipeline_cache(vulkan.pipeline_cache);
                    } catch (const Error& e) {  // the cache only saves compile time
                        swaprun::log(swaprun::LogLevel::Warning,
                                     std::string("swr_context_create: the pipeline cache was not "
                                                 "saved: ") +
                                         e.what());
                    }
                }
                handle->context = std::move(context);
            } catch (const Error& e) {
                // A wrong request (InvalidArgument) stays an error; the device or driver
                // failing is what the fallback is for.
                if (!cpu_fallback || e.kind() == ErrorKind::InvalidArgument) throw;
                swaprun::log(swaprun::LogLevel::Warning,
                             std::string("swr_context_create: Vulkan failed (") + e.what() +
                                 "); running on the CPU (fp32) as cpu_fallback allows");
                handle->context =
                    std::make_unique<swaprun::exec::CpuContext>(model->model, threads);
            }
        }
        *out_context = handle.release();  // owned by the caller until swr_context_release
    });
}

int32_t swr_vulkan_device_count(void) {
    try {
        return static_cast<int32_t>(swaprun::vulkan::list_devices().size());
    } catch (...) {  // nothing may cross the C boundary
        return 0;
    }
}

const char* swr_vulkan_device_name(int32_t index) {
    // Names are kept for the process's life so that the pointers stay valid.
    static const std::vector<std::string> names = []() -> std::vector<std::string> {
        try {
            std::vector<std::string> n;
            for (const auto& d : swaprun::vulkan::list_devices()) n.push_back(d.name);
            return n;
        } catch (...) {  // nothing may cross the C boundary
            return {};
        }
    }();
    if (index < 0 || static_cast<size_t>(index) >= names.size()) return nullptr;
    return names[static_cast<size_t>(index)].c_str();
}

void swr_context_release(swr_context* context) { std::unique_ptr<swr_context> owned(context); }

swr_status swr_context_set_input(swr_context* context, const char* name, const float* data,
                                 size_t element_count) {
    return guarded([&] {
        require(context, "swr_context_set_input", "context");
        require(name, "swr_context_set_input", "name");
        require(data, "swr_context_set_input", "data");
        context->context->set_input(name, data, element_count);
    });
}

swr_status swr_context_run(swr_context* context) {
    return guarded([&] {
        require(context, "swr_context_run", "context");
        context->context->run();
    });
}

swr_status swr_context_run_profiled(swr_context* context, double* out_op_ms, size_t op_count) {
    return guarded([&] {
        require(context, "swr_context_run_profiled", "context");
        require(out_op_ms, "swr_context_run_profiled", "out_op_ms");
        const size_t ops = context->context->model().graph().ops.size();
        if (op_count != ops) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_context_run_profiled: op_count is " + std::to_string(op_count) +
                            ", the model has " + std::to_string(ops) + " ops");
        }
        std::vector<double>& times = context->op_ms;
        context->context->run(&times);
        std::copy(times.begin(), times.end(), out_op_ms);
    });
}

swr_status swr_context_get_output(swr_context* context, const char* name, const float** out_data,
                                  size_t* out_element_count) {
    return guarded([&] {
        require(out_data, "swr_context_get_output", "out_data");
        *out_data = nullptr;
        require(out_element_count, "swr_context_get_output", "out_element_count");
        *out_element_count = 0;
        require(context, "swr_context_get_output", "context");
        require(name, "swr_context_get_output", "name");
        const auto values = context->context->output(name);
        *out_data = values.data();
        *out_element_count = values.size();
    });
}

}  // extern "C"
