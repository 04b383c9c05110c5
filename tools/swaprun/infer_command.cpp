// swaprun infer: load, set inputs, run (and time repeats), write outputs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "platform/atomic_file.h"
#include "swaprun/swaprun.hpp"
#include "tools/common/npy.h"
#include "tools/swaprun/commands.h"
#include "tools/swaprun/tensor_file.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::cli {
namespace {

std::string names_of(const std::vector<TensorInfo>& infos) {
    std::string s;
    for (const auto& info : infos) s += (s.empty() ? "'" : ", '") + info.name + "'";
    return s.empty() ? "(none)" : s;
}

const TensorInfo& find_named(const std::vector<TensorInfo>& infos, const std::string& name,
                             const char* kind) {
    for (const auto& info : infos) {
        if (info.name == name) return info;
    }
    throw Error(ErrorKind::InvalidArgument, str_cat("the model has no ", kind, " '", name,
                                                    "'; its ", kind, "s are ", names_of(infos)));
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

// One line per op: median ms, GFLOP/s where the op has MACs, share of the total.
void print_profile(const Model& model, const std::vector<std::vector<double>>& samples) {
    std::vector<double> medians;
    double total = 0;
    for (const auto& s : samples) {
        medians.push_back(median(s));
        total += medians.back();
    }
    std::printf("%4s  %-10s %10s %9s %6s  %s\n", "op", "type", "ms", "GFLOP/s", "share", "name");
    for (size_t k = 0; k < medians.size(); ++k) {
        const swr_op_info info = model.op_info(static_cast<int>(k));
        char gflops[32] = "";
        if (info.macs > 0 && medians[k] > 0) {
            std::snprintf(gflops, sizeof gflops, "%.1f",
                          2.0 * static_cast<double>(info.macs) / (medians[k] * 1e6));
        }
        std::printf("%4zu  %-10s %10.3f %9s %5.1f%%  %s\n", k, info.type, medians[k], gflops,
                    total > 0 ? 100.0 * medians[k] / total : 0.0, info.name);
    }
    std::printf("total %.3f ms over %zu ops\n", total, medians.size());
}

}  // namespace

int run_infer(const Command& command) {
    const auto load_start = std::chrono::steady_clock::now();
    const Model model = Model::open(
        command.model_path, !command.verify_checksum,
        static_cast<uint64_t>(command.max_activation_mb) << 20, command.low_memory,
        command.precision == SWR_PRECISION_BF16X3 ? SWR_PRECISION_BF16X3 : SWR_PRECISION_FP32);
    const double load_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
            .count();
    std::vector<TensorInfo> inputs, outputs;
    for (int i = 0; i < model.input_count(); ++i) inputs.push_back(model.input_info(i));
    for (int i = 0; i < model.output_count(); ++i) outputs.push_back(model.output_info(i));

    // Every name and shape is checked before the (possibly long) run.
    for (const NamedFile& f : command.outputs) find_named(outputs, f.name, "output");
    std::vector<tools::NpyArray> values;
    for (const NamedFile& f : command.inputs) {
        const TensorInfo& info = find_named(inputs, f.name, "input");
        tools::NpyArray array = load_tensor_file(f.path);
        if (array.shape != info.shape) {
            throw Error(
                ErrorKind::InvalidArgument,
                str_cat(f.path, ": input '", f.name, "' needs shape ", shape_string(info.shape),
                        " (", info.element_count, " values), the file has ",
                        shape_string(array.shape), " (", array.values.size(), " values)"));
        }
        values.push_back(std::move(array));
    }
    for (const TensorInfo& info : inputs) {
        const bool given = std::any_of(command.inputs.begin(), command.inputs.end(),
                                       [&](const NamedFile& f) { return f.name == info.name; });
        if (!given) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("input '", info.name, "' is not given (--input ", info.name,
                                "=FILE); the model's inputs are ", names_of(inputs)));
        }
    }

    swr_context_options options{};
    options.threads = command.threads;
    options.device = command.device;
    // bf16x3 is how the model was packed (Model::open); the context runs fp32.
    options.precision =
        command.precision == SWR_PRECISION_BF16X3 ? SWR_PRECISION_FP32 : command.precision;
    options.cpu_fallback = command.cpu_fallback ? 1 : 0;
    options.pipeline_cache =
        command.pipeline_cache.empty() ? nullptr : command.pipeline_cache.c_str();
    Context context(model, options);
    for (size_t k = 0; k < command.inputs.size(); ++k) {
        context.set_input(command.inputs[k].name, values[k].values);
    }
    const int op_count = model.op_count();
    std::vector<double> op_ms;
    std::vector<std::vector<double>> op_samples(static_cast<size_t>(op_count));
    auto run_once = [&] {
        if (!command.profile) {
            context.run();
            return;
        }
        context.run_profiled(op_ms, op_count);
        for (size_t k = 0; k < op_ms.size(); ++k) op_samples[k].push_back(op_ms[k]);
    };
    run_once();
    // The warm-up runs: untimed, and left out of the profile when there are timed runs.
    for (int r = 0; r < command.warmup; ++r) run_once();
    std::vector<double> times_ms;
    if (command.repeat > 0) {
        for (auto& samples : op_samples) samples.clear();  // profile the timed runs only
    }
    for (int r = 0; r < command.repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        run_once();
        const auto stop = std::chrono::steady_clock::now();
        times_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }

    // All outputs are written to temporary files first and renamed only when every
    // one of them has been written completely.
    std::vector<std::unique_ptr<platform::AtomicFile>> files;
    for (const NamedFile& f : command.outputs) {
        const TensorInfo& info = find_named(outputs, f.name, "output");
        const auto data = context.output(f.name);
        const std::vector<uint8_t> header = tools::npy_header(info.shape);
        auto file = std::make_unique<platform::AtomicFile>(f.path);
        file->write(header.data(), header.size());
        file->write(data.data(), data.size_bytes());
        files.push_back(std::move(file));
    }
    for (size_t k = 0; k < files.size(); ++k) {
        files[k]->commit();
        const NamedFile& f = command.outputs[k];
        std::cout << "wrote " << f.name << " "
                  << shape_string(find_named(outputs, f.name, "output").shape) << " to " << f.path
                  << "\n";
    }
    if (command.profile) {
        // Map, validate (checksum included) and prepare: what a user waits for once.
        std::printf("load %.3f ms\n", load_ms);
        print_profile(model, op_samples);
    }
    if (!times_ms.empty()) {
        char line[64];
        std::snprintf(line, sizeof(line), "median_ms=%.3f", median(times_ms));
        std::cout << line << "\n";
    }
    std::cout.flush();
    return 0;
}

}  // namespace swaprun::cli
