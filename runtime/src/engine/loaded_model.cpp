#include "engine/loaded_model.h"

#include <algorithm>
#include <cstdint>
#include <variant>

#include "graph/graph_validation.h"
#include "kernels/kernels.h"
#include "platform/large_pages.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::engine {
namespace {

constexpr size_t kNoOp = SIZE_MAX;  // a tensor no op writes (an input or a constant)

std::string quoted_names(const format::ModelDescription& model, const std::vector<uint32_t>& list) {
    std::string s;
    for (uint32_t i : list) {
        if (!s.empty()) s += ", ";
        s += "'" + model.tensors[i].name + "'";
    }
    return s.empty() ? "(none)" : s;
}

std::optional<size_t> find_in(const format::ModelDescription& model,
                              const std::vector<uint32_t>& list, std::string_view name) {
    for (size_t k = 0; k < list.size(); ++k) {
        if (model.tensors[list[k]].name == name) return k;
    }
    return std::nullopt;
}

// Runs a step of loading that checks the file. Until the weights' pass, the checksum
// of a file opened with ReadOptions::defer_checksum is pending, and damage may trip
// any check: then the error is the checksum's.
template <class Step>
auto damage_reported_first(const format::SwpkFile& file, Step&& step) -> decltype(step()) {
    try {
        return step();
    } catch (const Error&) {
        file.verify_pending_checksum();
        throw;
    }
}

// Per tensor, the ops that read it, and one more for a graph output.
std::vector<int> count_readers(const format::ModelDescription& model,
                               const graph::ValidatedGraph& graph) {
    std::vector<int> readers(model.tensors.size(), 0);
    for (const auto& op : graph.ops) {
        for (uint32_t t : op.inputs) {
            if (t != kNoTensor) ++readers[t];
        }
    }
    for (uint32_t t : model.outputs) ++readers[t];
    return readers;
}

}  // namespace

LoadedModel::LoadedModel(Key, std::unique_ptr<format::SwpkFile> file, const Allocator& allocator,
                         const format::ReadOptions& options)
    : allocator_(allocator.is_default() ? platform::large_page_allocator() : allocator),
      low_memory_(options.low_memory),
      bf16x3_(options.bf16x3),
      file_(std::move(file)),
      graph_(damage_reported_first(
          *file_, [&] { return graph::validate_graph(file_->model(), file_->path()); })),
      plan_(damage_reported_first(*file_,
                                  [&] { return plan::plan_activations(file_->model(), graph_); })) {
    damage_reported_first(*file_, [&] { prepare(options.max_activation_bytes); });
}

void LoadedModel::prepare(uint64_t max_activation_bytes) {
    // Checked before the weights are packed and before any context allocates.
    if (plan_.arena_bytes > max_activation_bytes) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(file_->path(), ": the model's activations need ", plan_.arena_bytes,
                            " bytes, above the limit of ", max_activation_bytes,
                            " bytes (swr_model_options.max_activation_bytes, swaprun "
                            "--max-activation-mb)"));
    }
    // Weights are packed (and Winograd-transformed) once here, never per frame.
    const auto& tensors = file_->model().tensors;
    auto constant = [&](uint32_t t) -> const float* {
        if (t == kNoTensor || t >= tensors.size()) return nullptr;
        const auto& tensor = tensors[t];
        if (tensor.role != format::TensorRole::Constant) return nullptr;
        return tensor.data.data();
    };
    struct Preparable {
        size_t op;
        const kernels::Conv2dParams* params;
        uint32_t weight;  // tensor index
        const float* bias;
    };
    std::vector<Preparable> preparable;
    OpLinks links;
    links.preparable.assign(graph_.ops.size(), false);
    for (size_t k = 0; k < graph_.ops.size(); ++k) {
        const auto& op = graph_.ops[k];
        const auto* p = std::get_if<kernels::Conv2dParams>(&op.params);
        if (p == nullptr || op.inputs.size() < 2 || constant(op.inputs[1]) == nullptr) continue;
        const float* bias = nullptr;
        if (op.inputs.size() > 2 && op.inputs[2] != kNoTensor) {
            bias = constant(op.inputs[2]);
            if (bias == nullptr) continue;  // a computed bias: the plain kernel reads it per run
        }
        preparable.push_back({k, p, op.inputs[1], bias});
        links.preparable[k] = true;
    }
    links.producer.assign(tensors.size(), kNoOp);
    for (size_t k = 0; k < graph_.ops.size(); ++k) links.producer[graph_.ops[k].output] = k;
    links.readers = count_readers(file_->model(), graph_);
    folded_ = find_cpu_folds(links);
    find_conv_pairs(links);
    cpu_plan_ = std::find(folded_.begin(), folded_.end(), true) == folded_.end()
                    ? plan_
                    : plan::plan_activations(file_->model(), graph_, folded_);
    size_t packed_bytes = 0;
    for (const Preparable& c : preparable) {
        packed_bytes +=
            kernels::PreparedConv2d::storage_bytes(*c.params, cpu_conv_options(c.op, links));
    }
    cpu_weight_bytes_ = packed_bytes;
    // All packed weights in one block (see WeightPool).
    weight_pool_ = std::make_unique<WeightPool>(allocator_, std::max<size_t>(packed_bytes, 1));
    const Allocator packed_weights = weight_pool_->allocator();
    convs_.resize(graph_.ops.size());
    std::vector<uint32_t> weights;
    for (const Preparable& c : preparable) weights.push_back(c.weight);
    // The file hands over the weights in its own order, each once, read past the
    // mapping (the CPU never reads them through it): the pass that also verifies a
    // deferred checksum. Convolutions may share a weight.
    file_->read_constants(weights, [&](uint32_t weight, std::span<const float> values) {
        for (const Preparable& c : preparable) {
            if (c.weight != weight) continue;
            convs_[c.op] = std::make_unique<const kernels::PreparedConv2d>(
                *c.params, values.data(), c.bias, cpu_conv_options(c.op, links), packed_weights);
        }
    });
    find_reusable_constants();
}

kernels::ConvOptions LoadedModel::cpu_conv_options(size_t op, const OpLinks& links) const {
    // A convolution reads its input upsampled where the Resize before it is folded.
    kernels::ConvOptions o;
    o.low_memory = low_memory_;
    if (bf16x3_) o.precision = kernels::ConvPrecision::Bf16x3;
    const size_t r = links.producer[graph_.ops[op].inputs[0]];
    o.upsampled_input = r != kNoOp && folded_[r] && graph_.ops[r].type == OpType::Resize;
    // A convolution is folded only as the first of a pair (find_conv_pairs).
    o.pair_first = folded_[op];
    return o;
}

std::vector<bool> LoadedModel::find_cpu_folds(const OpLinks& links) const {
    const auto& [preparable, producer, readers] = links;
    std::vector<bool> folded(graph_.ops.size(), false);
    const auto& reusable = plan_.reuse.reusable;
    for (size_t k = 0; k < graph_.ops.size(); ++k) {
        const auto& op = graph_.ops[k];
        if (!preparable[k] || reusable[k]) continue;
        const uint32_t in = op.inputs[0];
        const size_t r = producer[in];
        if (r == kNoOp || reusable[r] || readers[in] != 1) continue;
        const auto* resize = std::get_if<kernels::ResizeParams>(&graph_.ops[r].params);
        if (resize == nullptr || !kernels::is_bilinear_x2(*resize)) continue;
        kernels::ConvOptions o;
        o.upsampled_input = true;
        const auto& conv = std::get<kernels::Conv2dParams>(op.params);
        if (kernels::PreparedConv2d::reads_upsampled_input(conv, o)) folded[r] = true;
    }
    return folded;
}

void LoadedModel::find_conv_pairs(const OpLinks& links) {
    const auto& [preparable, producer, readers] = links;
    const auto& model = file_->model();
    paired_first_.assign(graph_.ops.size(), kNoOp);
    std::vector<bool> paired(graph_.ops.size(), false);  // first or second of a pair
    const auto& reusable = plan_.reuse.reusable;
    for (size_t k = 0; k < graph_.ops.size(); ++k) {
        if (!preparable[k] || reusable[k] || paired[k]) continue;
        const uint32_t in = graph_.ops[k].inputs[0];
        const size_t first = producer[in];
        if (first == kNoOp || !preparable[first] || reusable[first] || paired[first] ||
            folded_[first] || readers[in] != 1 ||
            model.tensors[in].elements() * sizeof(float) < kMinPairedBytes) {
            continue;
        }
        const auto& p = std::get<kernels::Conv2dParams>(graph_.ops[first].params);
        const auto& q = std::get<kernels::Conv2dParams>(graph_.ops[k].params);
        kernels::ConvOptions first_options = cpu_conv_options(first, links);
        first_options.pair_first = true;  // as it will be prepared once paired
        if (!kernels::PreparedConv2d::can_pair(p, first_options, q, cpu_conv_options(k, links))) {
            continue;
        }
        folded_[first] = true;
        paired_first_[k] = first;
        paired[first] = paired[k] = true;
    }
}

void LoadedModel::find_reusable_constants() {
    const auto& tensors = file_->model().tensors;
    const auto& reusable = plan_.reuse.reusable;
    std::vector<bool> read_by_other(tensors.size(), false);
    for (size_t k = 0; k < graph_.ops.size(); ++k) {
        if (reusable[k]) continue;
        for (uint32_t t : graph_.ops[k].inputs) {
            if (t != kNoTensor) read_by_other[t] = true;
        }
    }
    reusable_constants_.resize(graph_.ops.size());
    for (size_t k = 0; k < graph_.ops.size(); ++k) {
        if (!reusable[k]) continue;
        for (uint32_t t : graph_.ops[k].inputs) {
            if (t != kNoTensor && tensors[t].role == format::TensorRole::Constant &&
                !read_by_other[t]) {
                reusable_constants_[k].push_back(t);
            }
        }
    }
}

void LoadedModel::discard_reusable_constants(size_t op) const {
    if (op >= reusable_constants_.size()) return;
    for (uint32_t t : reusable_constants_[op]) {
        file_->discard_pages(description().tensors[t].data);
    }
}

size_t LoadedModel::conv_scratch_floats(int threads) const {
    size_t most = 0;
    for (size_t k = 0; k < convs_.size(); ++k) {
        if (!convs_[k]) continue;
        // Either Winograd schedule: a context may time both (exec::ScheduleTuner).
        for (auto schedule :
             {kernels::WinogradSchedule::PrivateTiles, kernels::WinogradSchedule::SharedStages}) {
            most = std::max(most, convs_[k]->scratch_floats(threads, schedule));
        }
        if (const kernels::PreparedConv2d* first = paired_first_conv(k)) {
            most = std::max(
                most, kernels::PreparedConv2d::pair_scratch_floats(*first, *convs_[k], threads));
        }
    }
    return most;
}

std::shared_ptr<const LoadedModel> LoadedModel::open(const std::string& path,
                                                     const format::ReadOptions& options,
                                                     const Allocator& allocator) {
    // The checksum comes with the pass that reads the weights for packing.
    format::ReadOptions deferred = options;
    deferred.defer_checksum = true;
    return from_file(format::SwpkFile::open(path, deferred), allocator, options);
}

std::shared_ptr<const LoadedModel> LoadedModel::from_file(std::unique_ptr<format::SwpkFile> file,
                                                          const Allocator& allocator,
                                                          const format::ReadOptions& options) {
    if (file == nullptr) throw Error(ErrorKind::InvalidArgument, "LoadedModel: no file");
    return std::make_shared<const LoadedModel>(Key(), std::move(file), allocator, options);
}

std::optional<size_t> LoadedModel::find_input(std::string_view name) const {
    return find_in(description(), description().inputs, name);
}

std::optional<size_t> LoadedModel::find_output(std::string_view name) const {
    return find_in(description(), description().outputs, name);
}

std::optional<uint32_t> LoadedModel::find_extra(std::string_view name) const {
    const auto& tensors = description().tensors;
    for (uint32_t i = 0; i < tensors.size(); ++i) {
        if (tensors[i].role == format::TensorRole::Extra && tensors[i].name == name) return i;
    }
    return std::nullopt;
}

std::string LoadedModel::input_names() const {
    return quoted_names(description(), description().inputs);
}

std::string LoadedModel::output_names() const {
    return quoted_names(description(), description().outputs);
}

}  // namespace swaprun::engine
