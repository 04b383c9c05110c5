#include "plan/activation_plan.h"

#include <algorithm>
#include <limits>

#include "plan/input_reuse.h"
#include "plan/memory_planner.h"

namespace swaprun::plan {
namespace {

using format::TensorRole;

constexpr int64_t kNever = std::numeric_limits<int64_t>::min();

}  // namespace

ActivationPlan plan_activations(const format::ModelDescription& model,
                                const graph::ValidatedGraph& graph,
                                const std::vector<bool>& folded) {
    const size_t tensor_count = model.tensors.size();
    const auto op_count = static_cast<int64_t>(graph.ops.size());
    const int64_t end = op_count;  // one step past the last op: "the end of the run"
    auto is_folded = [&](int64_t k) {
        return static_cast<size_t>(k) < folded.size() && folded[static_cast<size_t>(k)];
    };

    // What each op reads: a folded op's output stands for what that op's first input
    // stands for (a folded Resize before a folded convolution: the Resize's input).
    std::vector<uint32_t> stands_for(tensor_count);
    for (uint32_t t = 0; t < tensor_count; ++t) stands_for[t] = t;
    for (int64_t k = 0; k < op_count; ++k) {
        if (is_folded(k)) stands_for[graph.ops[k].output] = stands_for[graph.ops[k].inputs[0]];
    }
    std::vector<int64_t> last_read(tensor_count, kNever);
    for (int64_t k = 0; k < op_count; ++k) {
        if (is_folded(k)) continue;  // it never runs
        for (uint32_t i : graph.ops[k].inputs) {
            if (i != kNoTensor) last_read[stands_for[i]] = k;
        }
    }
    for (uint32_t o : model.outputs) last_read[o] = end;
    // Outputs of reusable ops survive between runs, like the inputs.
    InputReuse reuse = analyse_input_reuse(model, graph);

    // Each planned tensor gets a buffer; an aliasing Reshape's output joins its input's.
    std::vector<BufferRequest> buffers;
    std::vector<size_t> buffer_of(tensor_count, std::numeric_limits<size_t>::max());
    constexpr size_t kNone = std::numeric_limits<size_t>::max();
    auto bytes_of = [&](uint32_t t) {
        return static_cast<uint64_t>(model.tensors[t].elements()) * sizeof(float);
    };
    for (uint32_t i : model.inputs) {
        buffer_of[i] = buffers.size();
        buffers.push_back({bytes_of(i), -1, end});
    }
    for (int64_t k = 0; k < op_count; ++k) {
        if (is_folded(k)) continue;  // no slot: its reader reads its input
        const graph::CheckedOp& op = graph.ops[k];
        const uint32_t out = op.output;
        const bool persistent = reuse.reusable[k];
        const int64_t live_until = persistent ? end : std::max(k, last_read[out]);
        if (op.type == OpType::Reshape) {
            const uint32_t in = op.inputs[0];
            const bool aliasable = model.tensors[in].role == TensorRole::Activation &&
                                   last_read[in] == k && buffer_of[in] != kNone;
            if (aliasable) {
                buffer_of[out] = buffer_of[in];
                BufferRequest& b = buffers[buffer_of[in]];
                b.last = std::max(b.last, live_until);
                if (persistent) b.first = -1;
                continue;
            }
        }
        buffer_of[out] = buffers.size();
        buffers.push_back({bytes_of(out), persistent ? -1 : k, live_until});
    }

    const ArenaLayout layout = pack_buffers(buffers, 64);
    ActivationPlan plan;
    plan.arena_bytes = layout.arena_bytes;
    plan.tensor_offset.assign(tensor_count, kNoSlot);
    for (size_t t = 0; t < tensor_count; ++t) {
        if (buffer_of[t] != kNone) plan.tensor_offset[t] = layout.offsets[buffer_of[t]];
    }
    for (const BufferRequest& b : buffers) plan.unshared_bytes += b.bytes;
    plan.reuse = std::move(reuse);
    return plan;
}

}  // namespace swaprun::plan
