// swaprun info: what a model holds and how it will run. Uses the library's internal
// interface (the C API does not enumerate metadata, ops or the memory plan).
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <vector>

#include "engine/loaded_model.h"
#include "swaprun/swaprun.h"
#include "tools/swaprun/commands.h"
#include "util/str_cat.h"

namespace swaprun::cli {
namespace {

using format::ModelDescription;

std::string tensor_line(const ModelDescription& d, uint32_t t) {
    return str_cat(d.tensors[t].name, " ", shape_string(d.tensors[t].shape));
}

std::string mib(uint64_t bytes) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(2) << static_cast<double>(bytes) / (1024.0 * 1024.0)
      << " MiB";
    return s.str();
}

// A prepared convolution's algorithm, ISA, micro-kernel and what it folds in.
std::string kernel_of(const kernels::PreparedConv2d& conv) {
    std::string s =
        str_cat(kernels::to_string(conv.algorithm()), " on ", kernels::to_string(conv.isa()));
    if (conv.amx()) {
        s += ", bf16x3 on AMX tiles";
    } else if (*conv.winograd_kernels_name() != '\0') {
        s += str_cat(", kernels ", conv.winograd_kernels_name());
    }
    if (conv.algorithm() == kernels::ConvAlgorithm::Direct &&
        conv.isa() != kernels::ConvIsa::Portable) {
        s += conv.depthwise()      ? ", depthwise"
             : conv.pixel_tiles()  ? ", pixel tiles"
             : conv.long_columns() ? ", long column tiles"
                                   : ", column tiles";
    }
    if (conv.has_schedules() && conv.stacked_phases() == nullptr) {  // else the stacked one's
        s += conv.private_tiles() ? ", private tiles at load" : ", shared stages at load";
        if (conv.transforms_weights_per_run()) s += ", U made per run";
    }
    if (conv.upsampled_input()) s += ", reads its input upsampled";
    if (const kernels::PreparedConv2d* stacked = conv.stacked_phases()) {
        s += str_cat(", its four phases stacked into one ", kernel_of(*stacked));
    }
    return s;
}

// How the CPU runs op k, as chosen at load (kernel_of), and the convolution it pairs
// with (second_of[k]: the second of the pair op k is the first of, or SIZE_MAX); empty
// for an op with nothing to say. (A Winograd layer's schedule is the one from load: a
// context on 2 threads or more times both in its second and third runs and keeps the
// faster.)
std::string cpu_kernel(const engine::LoadedModel& model, size_t k,
                       const std::vector<size_t>& second_of) {
    const size_t second = second_of[k];
    // The first of a pair is folded, but it runs (inside its second).
    if (model.folded_on_cpu(k) && second == SIZE_MAX) {
        return " (CPU: folded into the convolution that reads it)";
    }
    const kernels::PreparedConv2d* conv = model.prepared_conv(k);
    if (conv == nullptr) return "";
    std::string s = str_cat(" (CPU: ", kernel_of(*conv));
    if (second != SIZE_MAX) {
        s += str_cat(", first of a pair with op ", second, ": its output is never written");
    }
    if (const size_t first = model.paired_first_op(k); first != SIZE_MAX) {
        s += str_cat(", second of a pair with op ", first);
    }
    return s + ")";
}

}  // namespace

int run_info(const Command& command) {
    format::ReadOptions options;
    options.verify_checksum = command.verify_checksum;
    options.low_memory = command.low_memory;
    options.bf16x3 = command.precision == SWR_PRECISION_BF16X3;
    if (command.max_activation_mb > 0) {
        options.max_activation_bytes = static_cast<uint64_t>(command.max_activation_mb) << 20;
    }
    const auto model = engine::LoadedModel::open(command.model_path, options);
    const ModelDescription& d = model->description();
    std::ostream& out = std::cout;

    out << "model: " << command.model_path << " (format version 1)\n";
    out << "inputs:\n";
    for (uint32_t i : d.inputs) out << "  " << tensor_line(d, i) << "\n";
    out << "outputs:\n";
    for (uint32_t o : d.outputs) out << "  " << tensor_line(d, o) << "\n";

    uint64_t constant_bytes = 0;
    bool any_extra = false;
    for (uint32_t t = 0; t < d.tensors.size(); ++t) {
        const auto& tensor = d.tensors[t];
        if (tensor.role == format::TensorRole::Constant) constant_bytes += tensor.data.size_bytes();
        if (tensor.role != format::TensorRole::Extra) continue;
        if (!any_extra) out << "extra tensors:\n";
        any_extra = true;
        out << "  " << tensor_line(d, t) << "\n";
    }
    out << "metadata:\n";
    for (const auto& [key, value] : d.metadata) out << "  " << key << " = " << value << "\n";

    out << "ops: " << d.ops.size() << "\n";
    std::vector<size_t> second_of(d.ops.size(), SIZE_MAX);
    for (size_t k = 0; k < d.ops.size(); ++k) {
        if (const size_t first = model->paired_first_op(k); first != SIZE_MAX) second_of[first] = k;
    }
    for (size_t k = 0; k < d.ops.size(); ++k) {
        const auto& op = d.ops[k];
        out << "  " << std::setw(4) << k << "  " << std::left << std::setw(10)
            << *op_type_name(static_cast<uint32_t>(op.type)) << std::right << " " << op.name
            << " -> " << tensor_line(d, op.outputs[0]) << cpu_kernel(*model, k, second_of) << "\n";
    }
    const auto& plan = model->plan();
    out << "weights: " << constant_bytes << " bytes (" << mib(constant_bytes) << ")\n";
    out << "CPU packed weights: " << model->cpu_weight_bytes() << " bytes ("
        << mib(model->cpu_weight_bytes()) << ")" << (command.low_memory ? ", --low-memory" : "")
        << "\n";
    out << "activation arena: " << plan.arena_bytes << " bytes (" << mib(plan.arena_bytes)
        << "); unshared: " << plan.unshared_bytes << " bytes (" << mib(plan.unshared_bytes)
        << ")\n";
    const auto& cpu = model->cpu_plan();
    if (cpu.arena_bytes != plan.arena_bytes) {
        out << "CPU activation arena: " << cpu.arena_bytes << " bytes (" << mib(cpu.arena_bytes)
            << "), without the outputs the CPU never writes (the folded ops')\n";
    }
    return 0;
}

}  // namespace swaprun::cli
