// A model ready to run: the mapped and validated file, its validated graph, and the
// memory plan. Immutable after loading, so one instance serves any number of
// contexts on any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/weight_pool.h"
#include "format/swpk_io.h"
#include "graph/op_params.h"
#include "kernels/allocator.h"
#include "kernels/conv2d_prepared.h"
#include "plan/activation_plan.h"

namespace swaprun::engine {

class LoadedModel {
  public:
    // Throws swaprun::Error naming the file.
    static std::shared_ptr<const LoadedModel> open(const std::string& path,
                                                   const format::ReadOptions& options = {},
                                                   const Allocator& allocator = {});
    // allocator: where the packed weights go, and the arenas of the contexts
    // created from this model (the default: platform::large_page_allocator).
    // Of options, the fields for the model rather than the reader: max_activation_bytes
    // (a model whose plan needs more fails with InvalidArgument naming the file, the
    // bytes and the limit) and low_memory.
    static std::shared_ptr<const LoadedModel> from_file(std::unique_ptr<format::SwpkFile> file,
                                                        const Allocator& allocator = {},
                                                        const format::ReadOptions& options = {});

    const format::ModelDescription& description() const { return file_->model(); }
    const graph::ValidatedGraph& graph() const { return graph_; }
    const plan::ActivationPlan& plan() const { return plan_; }
    // The CPU backend's plan: plan() less the outputs of the folded ops.
    const plan::ActivationPlan& cpu_plan() const { return cpu_plan_; }
    // Whether op k is folded, on the CPU, into the one op that reads its output: a
    // bilinear x2 Resize read by a convolution that reads its input upsampled
    // (kernels::ConvOptions::upsampled_input), or the first convolution of a pair
    // (paired_first_conv). The CPU never runs it or writes its output; its reader
    // reads its input instead. Other backends run it.
    bool folded_on_cpu(size_t op) const { return op < folded_.size() && folded_[op]; }
    // For op k, a convolution whose input is written only by another convolution, that
    // one (folded), where the two run on the CPU as a pair
    // (kernels::PreparedConv2d::run_pair): op k then reads the first's input.
    // Null for any other op.
    const kernels::PreparedConv2d* paired_first_conv(size_t op) const {
        const size_t first = paired_first_op(op);
        return first != SIZE_MAX ? convs_[first].get() : nullptr;
    }
    // The index of that first convolution, or SIZE_MAX.
    size_t paired_first_op(size_t op) const {
        return op < paired_first_.size() ? paired_first_[op] : SIZE_MAX;
    }
    // Op k's convolution with its weights packed at load, or null (not a Conv2d,
    // or its weight is not a constant of the file).
    const kernels::PreparedConv2d* prepared_conv(size_t op) const {
        return op < convs_.size() ? convs_[op].get() : nullptr;
    }
    // Bytes of the convolutions' weights packed at load for the CPU (transformed ones
    // included): with ReadOptions::low_memory, fewer.
    size_t cpu_weight_bytes() const { return cpu_weight_bytes_; }
    // The most scratch any prepared convolution needs with `threads` threads, on either
    // Winograd schedule.
    size_t conv_scratch_floats(int threads) const;
    // Hints, after op k ran, that the constants only reusable ops read (the style
    // Gemms' weights: needed again only when the source changes) may leave resident
    // memory. They stay readable; see format::SwpkFile::discard_pages.
    void discard_reusable_constants(size_t op) const;
    const std::string& path() const { return file_->path(); }
    const Allocator& allocator() const { return allocator_; }

    // Position in description().inputs / outputs of the named graph input / output.
    std::optional<size_t> find_input(std::string_view name) const;
    std::optional<size_t> find_output(std::string_view name) const;
    // Tensor index of the named Extra tensor.
    std::optional<uint32_t> find_extra(std::string_view name) const;
    // "'target', 'source'": for messages about a wrong name.
    std::string input_names() const;
    std::string output_names() const;

    // Only from_file() can make the key: a model is always owned by a shared_ptr.
    class Key {
        friend class LoadedModel;
        Key() = default;
    };
    LoadedModel(Key, std::unique_ptr<format::SwpkFile> file, const Allocator& allocator,
                const format::ReadOptions& options);

  private:
    // Checks the plan against the limit, folds, plans the CPU arena and packs the
    // convolutions' weights: the constructor's work after the graph and plan.
    void prepare(uint64_t max_activation_bytes);
    void find_reusable_constants();
    // What the CPU's folds are decided from: per op, whether its convolution is
    // prepared at load; per tensor, the op that writes it (SIZE_MAX: none) and how
    // many read it (a graph output counts as one more).
    struct OpLinks {
        std::vector<bool> preparable;
        std::vector<size_t> producer;
        std::vector<int> readers;
    };
    // The Resizes folded on the CPU (see folded_on_cpu).
    std::vector<bool> find_cpu_folds(const OpLinks& links) const;
    // Folds the first convolution of each pair that run_pair can take, where the
    // tensor between them is read by the second only and is at least kMinPairedBytes:
    // sets folded_ and paired_first_. A convolution is in one pair at most.
    void find_conv_pairs(const OpLinks& links);
    // The options op k's convolution is prepared with, given the folds so far.
    kernels::ConvOptions cpu_conv_options(size_t op, const OpLinks& links) const;

    // The smallest tensor between two convolutions that makes them a pair: below it,
    // the tensor stays in cache between the two anyway.
    static constexpr size_t kMinPairedBytes = 4u << 20;

    Allocator allocator_;
    bool low_memory_ = false;  // kernels::ConvOptions::low_memory for every convolution
    bool bf16x3_ = false;      // kernels::ConvPrecision::Bf16x3 for every convolution
    size_t cpu_weight_bytes_ = 0;
    // Holds convs_' packed weights; declared first, so it goes after them.
    std::unique_ptr<WeightPool> weight_pool_;
    std::unique_ptr<format::SwpkFile> file_;
    graph::ValidatedGraph graph_;
    plan::ActivationPlan plan_;
    std::vector<bool> folded_;          // per op; see folded_on_cpu
    std::vector<size_t> paired_first_;  // per op; SIZE_MAX, or see paired_first_conv
    plan::ActivationPlan cpu_plan_;
    std::vector<std::unique_ptr<const kernels::PreparedConv2d>> convs_;  // per op
    // Per op: the constant inputs that no op but reusable ones reads.
    std::vector<std::vector<uint32_t>> reusable_constants_;
};

}  // namespace swaprun::engine
