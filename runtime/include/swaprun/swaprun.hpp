// A thin C++ layer over the C API (swaprun.h): owning handles and exceptions.
// Header-only, so it adds no ABI of its own; everything goes through the C functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "swaprun/swaprun.h"

namespace swaprun {

// A failed C API call: its status and the swr_last_error() text.
class ApiError : public std::runtime_error {
  public:
    ApiError(swr_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    swr_status status() const { return status_; }

  private:
    swr_status status_;
};

namespace detail {

inline void check(swr_status status) {
    if (status != SWR_OK) throw ApiError(status, swr_last_error());
}

struct ModelRelease {
    void operator()(swr_model* m) const { swr_model_release(m); }
};
struct ContextRelease {
    void operator()(swr_context* c) const { swr_context_release(c); }
};

}  // namespace detail

// Shape and size of a model input or output (copied out of the C struct).
struct TensorInfo {
    std::string name;
    std::vector<int64_t> shape;
    int64_t element_count = 0;
};

class Model {
  public:
    // max_activation_bytes: 0 for the default; low_memory, cpu_precision: see
    // swr_model_options.
    static Model open(const std::string& path, bool skip_checksum = false,
                      uint64_t max_activation_bytes = 0, bool low_memory = false,
                      int32_t cpu_precision = SWR_PRECISION_FP32) {
        swr_model_options options{};
        options.struct_size = sizeof(options);
        options.skip_checksum = skip_checksum ? 1 : 0;
        options.max_activation_bytes = max_activation_bytes;
        options.low_memory = low_memory ? 1 : 0;
        options.cpu_precision = cpu_precision;
        swr_model* raw = nullptr;
        detail::check(swr_model_open(path.c_str(), &options, &raw));
        return Model(raw);
    }

    // From a .swpk held in memory: copied (the bytes may be freed once this returns)
    // or, with in_place, used where they are (64-byte aligned, kept alive and
    // unchanged while the model lives).
    static Model open_memory(std::span<const std::byte> bytes, bool in_place = false,
                             bool skip_checksum = false) {
        swr_model_options options{};
        options.struct_size = sizeof(options);
        options.skip_checksum = skip_checksum ? 1 : 0;
        options.use_memory_in_place = in_place ? 1 : 0;
        swr_model* raw = nullptr;
        detail::check(swr_model_open_memory(bytes.data(), bytes.size(), &options, &raw));
        return Model(raw);
    }

    int input_count() const { return swr_model_input_count(get()); }
    int output_count() const { return swr_model_output_count(get()); }
    int op_count() const { return swr_model_op_count(get()); }
    swr_op_info op_info(int index) const {
        swr_op_info info{};
        detail::check(swr_model_op_info(get(), index, &info));
        return info;
    }
    TensorInfo input_info(int index) const { return info(index, swr_model_input_info); }
    TensorInfo output_info(int index) const { return info(index, swr_model_output_info); }

    std::optional<std::string> metadata(const std::string& key) const {
        const char* value = swr_model_metadata(get(), key.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    }

    // The named extra tensor's values (empty when absent); valid while the model lives.
    std::span<const float> extra_tensor(const std::string& name) const {
        swr_tensor_info info{};
        const float* data = nullptr;
        detail::check(swr_model_extra_tensor(get(), name.c_str(), &info, &data));
        if (data == nullptr) return {};
        return {data, static_cast<size_t>(info.element_count)};
    }

    const swr_model* get() const { return handle_.get(); }

  private:
    explicit Model(swr_model* raw) : handle_(raw) {}

    template <class Query>
    TensorInfo info(int index, Query query) const {
        swr_tensor_info raw{};
        detail::check(query(get(), index, &raw));
        TensorInfo result;
        result.name = raw.name;
        result.shape.assign(raw.shape, raw.shape + raw.rank);
        result.element_count = raw.element_count;
        return result;
    }

    std::unique_ptr<swr_model, detail::ModelRelease> handle_;
};

// One inference state. The model must outlive the context.
class Context {
  public:
    // threads: 0 for every core.
    explicit Context(const Model& model, int threads = 0) {
        swr_context_options options{};
        options.struct_size = sizeof(options);
        options.threads = threads;
        swr_context* raw = nullptr;
        detail::check(swr_context_create(model.get(), &options, &raw));
        handle_.reset(raw);
    }

    // options.struct_size is set here; the rest as the caller filled it.
    Context(const Model& model, swr_context_options options) {
        options.struct_size = sizeof(options);
        swr_context* raw = nullptr;
        detail::check(swr_context_create(model.get(), &options, &raw));
        handle_.reset(raw);
    }

    void set_input(const std::string& name, std::span<const float> values) {
        detail::check(swr_context_set_input(get(), name.c_str(), values.data(), values.size()));
    }
    void run() { detail::check(swr_context_run(get())); }
    // Runs and stores each op's wall time (ms) in op_ms, resized to the op count.
    void run_profiled(std::vector<double>& op_ms, int op_count) {
        op_ms.resize(static_cast<size_t>(op_count));
        detail::check(swr_context_run_profiled(get(), op_ms.data(), op_ms.size()));
    }
    // Valid until the next run() or the context's end.
    std::span<const float> output(const std::string& name) {
        const float* data = nullptr;
        size_t count = 0;
        detail::check(swr_context_get_output(get(), name.c_str(), &data, &count));
        return {data, count};
    }

    swr_context* get() const { return handle_.get(); }

  private:
    std::unique_ptr<swr_context, detail::ContextRelease> handle_;
};

}  // namespace swaprun
