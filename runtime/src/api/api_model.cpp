// C API: models (loading, introspection).
#include <cstring>

#include "api/api_handles.h"
#include "api/api_status.h"
#include "graph/op_cost.h"
#include "util/log.h"

namespace swaprun::api {
namespace {

void fill_info(const format::TensorDescription& t, swr_tensor_info* info) {
    *info = swr_tensor_info{};
    info->name = t.name.c_str();
    info->rank = static_cast<int32_t>(t.shape.size());
    for (size_t d = 0; d < t.shape.size(); ++d) info->shape[d] = t.shape[d];
    info->element_count = t.elements();
}

void tensor_info(const swr_model* model, int32_t index, swr_tensor_info* out_info, bool input,
                 const char* function) {
    require(model, function, "model");
    require(out_info, function, "out_info");
    const auto& d = model->model->description();
    const auto& list = input ? d.inputs : d.outputs;
    if (index < 0 || static_cast<size_t>(index) >= list.size()) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat(function, ": index ", index, " is outside 0..", list.size(), " (exclusive)"));
    }
    fill_info(d.tensors[list[static_cast<size_t>(index)]], out_info);
}

void check_model_options(const swr_model_options* options, const char* function) {
    if (options != nullptr && options->struct_size == 0) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat(function, ": options->struct_size is 0 (set it to sizeof(swr_model_options))"));
    }
}

format::ReadOptions read_options(const swr_model_options* options) {
    format::ReadOptions read;
    read.verify_checksum = option_field(options, &swr_model_options::skip_checksum, 0) == 0;
    const uint64_t max_activation_bytes =
        option_field(options, &swr_model_options::max_activation_bytes, uint64_t{0});
    if (max_activation_bytes != 0) read.max_activation_bytes = max_activation_bytes;
    read.low_memory = option_field(options, &swr_model_options::low_memory, 0) != 0;
    const int32_t precision =
        option_field(options, &swr_model_options::cpu_precision, SWR_PRECISION_FP32);
    if (precision != SWR_PRECISION_FP32 && precision != SWR_PRECISION_BF16X3) {
        throw Error(ErrorKind::InvalidArgument,
                    "options->cpu_precision " + std::to_string(precision) +
                        " (0 SWR_PRECISION_FP32, 2 SWR_PRECISION_BF16X3)");
    }
    read.bf16x3 = precision == SWR_PRECISION_BF16X3;
    return read;
}

Allocator allocator_of(const swr_model_options* options, const char* function) {
    const swr_allocator* given = option_field(options, &swr_model_options::allocator,
                                              static_cast<const swr_allocator*>(nullptr));
    Allocator allocator;
    if (given == nullptr) return allocator;
    if (given->allocate == nullptr) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(function, ": options->allocator->allocate is NULL"));
    }
    allocator.allocate = given->allocate;
    allocator.release = given->release;
    allocator.user = given->user_data;
    return allocator;
}

// Wraps a loaded model in its handle, logging what was loaded.
swr_model* new_handle(std::shared_ptr<const engine::LoadedModel> model) {
    auto handle = std::make_unique<swr_model>();
    handle->model = std::move(model);
    if (log_enabled(LogLevel::Info)) {
        const auto& m = *handle->model;
        log(LogLevel::Info,
            str_cat(m.path(), ": loaded, ", m.graph().ops.size(), " ops, activation arena ",
                    m.plan().arena_bytes / 1024, " KiB"));
    }
    return handle.release();  // owned by the caller until swr_model_release
}

}  // namespace
}  // namespace swaprun::api
using swaprun::Error;
using swaprun::ErrorKind;
using swaprun::api::guarded;
using swaprun::api::require;

extern "C" {

swr_status swr_model_open(const char* path, const swr_model_options* options,
                          swr_model** out_model) {
    return guarded([&] {
        require(out_model, "swr_model_open", "out_model");
        *out_model = nullptr;
        require(path, "swr_model_open", "path");
        swaprun::api::check_model_options(options, "swr_model_open");
        const auto allocator = swaprun::api::allocator_of(options, "swr_model_open");
        *out_model = swaprun::api::new_handle(swaprun::engine::LoadedModel::open(
            path, swaprun::api::read_options(options), allocator));
    });
}

swr_status swr_model_open_memory(const void* data, size_t size, const swr_model_options* options,
                                 swr_model** out_model) {
    return guarded([&] {
        require(out_model, "swr_model_open_memory", "out_model");
        *out_model = nullptr;
        require(data, "swr_model_open_memory", "data");
        swaprun::api::check_model_options(options, "swr_model_open_memory");
        const auto allocator = swaprun::api::allocator_of(options, "swr_model_open_memory");
        const bool in_place =
            swaprun::api::option_field(options, &swr_model_options::use_memory_in_place, 0) != 0;
        const auto* bytes = static_cast<const uint8_t*>(data);
        const std::string label =
            swaprun::str_cat("in-memory model (", size, " bytes", in_place ? ", in place)" : ")");
        const auto read = swaprun::api::read_options(options);
        auto file = in_place ? swaprun::format::SwpkFile::from_memory(bytes, size, label, read)
                             : swaprun::format::SwpkFile::copy_from_memory(bytes, size, label, read,
                                                                           allocator);
        *out_model = swaprun::api::new_handle(
            swaprun::engine::LoadedModel::from_file(std::move(file), allocator, read));
    });
}

void swr_model_release(swr_model* model) { std::unique_ptr<swr_model> owned(model); }

int32_t swr_model_input_count(const swr_model* model) {
    if (model == nullptr) {
        swaprun::api::set_last_error("swr_model_input_count: model is NULL");
        return -1;
    }
    return static_cast<int32_t>(model->model->description().inputs.size());
}

int32_t swr_model_output_count(const swr_model* model) {
    if (model == nullptr) {
        swaprun::api::set_last_error("swr_model_output_count: model is NULL");
        return -1;
    }
    return static_cast<int32_t>(model->model->description().outputs.size());
}

int32_t swr_model_op_count(const swr_model* model) {
    if (model == nullptr) {
        swaprun::api::set_last_error("swr_model_op_count: model is NULL");
        return -1;
    }
    return static_cast<int32_t>(model->model->graph().ops.size());
}

swr_status swr_model_op_info(const swr_model* model, int32_t index, swr_op_info* out_info) {
    return guarded([&] {
        require(out_info, "swr_model_op_info", "out_info");
        require(model, "swr_model_op_info", "model");
        const auto& ops = model->model->graph().ops;
        if (index < 0 || static_cast<size_t>(index) >= ops.size()) {
            throw Error(ErrorKind::InvalidArgument, "swr_model_op_info: index " +
                                                        std::to_string(index) + " is outside [0, " +
                                                        std::to_string(ops.size()) + ")");
        }
        const auto& op = ops[static_cast<size_t>(index)];
        out_info->name = model->model->description().ops[static_cast<size_t>(index)].name.c_str();
        out_info->type = swaprun::op_type_name(static_cast<uint32_t>(op.type)).value_or("?").data();
        out_info->macs = swaprun::graph::op_macs(op);
    });
}

swr_status swr_model_input_info(const swr_model* model, int32_t index, swr_tensor_info* out_info) {
    return guarded(
        [&] { swaprun::api::tensor_info(model, index, out_info, true, "swr_model_input_info"); });
}

swr_status swr_model_output_info(const swr_model* model, int32_t index, swr_tensor_info* out_info) {
    return guarded(
        [&] { swaprun::api::tensor_info(model, index, out_info, false, "swr_model_output_info"); });
}

const char* swr_model_metadata(const swr_model* model, const char* key) {
    if (model == nullptr || key == nullptr) {
        swaprun::api::set_last_error("swr_model_metadata: model or key is NULL");
        return nullptr;
    }
    const auto& metadata = model->model->description().metadata;
    const auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : it->second.c_str();
}

swr_status swr_model_extra_tensor(const swr_model* model, const char* name,
                                  swr_tensor_info* out_info, const float** out_data) {
    return guarded([&] {
        require(out_data, "swr_model_extra_tensor", "out_data");
        *out_data = nullptr;
        require(model, "swr_model_extra_tensor", "model");
        require(name, "swr_model_extra_tensor", "name");
        const auto index = model->model->find_extra(name);
        if (!index) {
            if (out_info != nullptr) *out_info = swr_tensor_info{};
            return;  // absent: documented as success with NULL data
        }
        const auto& t = model->model->description().tensors[*index];
        if (out_info != nullptr) swaprun::api::fill_info(t, out_info);
        *out_data = t.data.data();
    });
}

}  // extern "C"
