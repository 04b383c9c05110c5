#include "exec/cpu_context.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "exec/thread_count.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::exec {

using format::TensorRole;

namespace {

int checked_thread_count(int requested) {
    if (requested < 0) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat("thread count ", requested, " (0 for every core, or a positive count)"));
    }
    return resolve_thread_count(requested);
}

}  // namespace

CpuContext::CpuContext(std::shared_ptr<const engine::LoadedModel> model, int threads)
    : model_(require_model(std::move(model), "CpuContext")),
      threads_(checked_thread_count(threads)),
      inputs_(*model_) {
    const auto& description = model_->description();
    const auto& plan = model_->cpu_plan();
    arena_ = AlignedFloatBuffer(static_cast<size_t>(plan.arena_bytes), model_->allocator());

    tensor_data_.assign(description.tensors.size(), nullptr);
    for (size_t t = 0; t < description.tensors.size(); ++t) {
        const auto& tensor = description.tensors[t];
        if (tensor.role == TensorRole::Constant || tensor.role == TensorRole::Extra) {
            tensor_data_[t] = tensor.data.data();  // in place, in the file mapping
        } else if (plan.tensor_offset[t] != plan::kNoSlot) {
            tensor_data_[t] = arena_.data() + plan.tensor_offset[t] / sizeof(float);
        }
    }

    // One scratch buffer for every prepared convolution (they run one at a time),
    // sized now so that run() allocates nothing.
    conv_scratch_ = AlignedFloatBuffer(model_->conv_scratch_floats(threads_) * sizeof(float),
                                       model_->allocator());

    const auto& ops = model_->graph().ops;
    // A folded op's output is never written: its reader reads the folded op's input.
    for (size_t k = 0; k < ops.size(); ++k) {
        if (model_->folded_on_cpu(k)) tensor_data_[ops[k].output] = tensor_data_[ops[k].inputs[0]];
    }
    bound_.resize(ops.size());
    for (size_t k = 0; k < ops.size(); ++k) {
        for (uint32_t i : ops[k].inputs) {
            bound_[k].inputs.push_back(i == kNoTensor ? nullptr : tensor_data_[i]);
        }
        if (model_->folded_on_cpu(k)) continue;  // never run: bound to nothing else
        // Activations are in the arena, which this context owns and may write.
        bound_[k].output = arena_.data() + plan.tensor_offset[ops[k].output] / sizeof(float);
        bound_[k].conv = model_->prepared_conv(k);
        bound_[k].paired_first = model_->paired_first_conv(k);
        bound_[k].scratch = conv_scratch_.data();
        bound_[k].threads = threads_;
    }
    skip_.assign(ops.size(), false);
    tuner_ = ScheduleTuner(bound_);
}

void CpuContext::set_input(std::string_view name, const float* data, size_t count) {
    const size_t index = inputs_.checked_input(name, data, count);
    const uint32_t t = model_->description().inputs[index];
    std::memcpy(arena_.data() + model_->cpu_plan().tensor_offset[t] / sizeof(float), data,
                count * sizeof(float));
    inputs_.set(index);
}

void CpuContext::run(std::vector<double>* op_ms) {
    inputs_.check_all_set();
    const auto& reuse = model_->cpu_plan().reuse;
    const auto& ops = model_->graph().ops;
    for (size_t k = 0; k < ops.size(); ++k) {
        skip_[k] = model_->folded_on_cpu(k) || inputs_.still_valid(reuse, k);
    }

    inputs_.start_run();
    const ThreadCountScope scope(threads_);
    if (op_ms) op_ms->assign(ops.size(), 0.0);
    tuner_.begin_run(bound_);
    const bool timing = op_ms != nullptr || tuner_.timing();
    for (size_t k = 0; k < ops.size(); ++k) {
        if (skip_[k]) continue;
        if (!timing) {
            run_op(ops[k].params, bound_[k]);
        } else {
            const auto start = std::chrono::steady_clock::now();
            run_op(ops[k].params, bound_[k]);
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            if (op_ms) (*op_ms)[k] = ms;
            tuner_.record(k, ms);
        }
        // A reusable op runs again only when the source changes: its weights need not
        // stay resident while the frames go through.
        if (reuse.reusable[k]) model_->discard_reusable_constants(k);
    }
    inputs_.finish_run();
    tuner_.end_run(bound_);
}

std::span<const float> CpuContext::output(std::string_view name) const {
    const uint32_t t = model_->description().outputs[inputs_.checked_output(name)];
    return {tensor_data_[t], static_cast<size_t>(model_->description().tensors[t].elements())};
}

}  // namespace swaprun::exec
