#include "graph/graph_validation.h"

#include <limits>
#include <set>
#include <vector>

#include "graph/check_ops.h"

namespace swaprun::graph {
namespace {

using format::ModelDescription;
using format::TensorRole;

constexpr size_t kUnbounded = std::numeric_limits<size_t>::max();

struct Arity {
    size_t min_inputs, max_inputs;  // input slots, optional ones included in max
    OpParams (*check)(OpCheck&);
};

Arity arity_of(OpType type) {
    switch (type) {
        case OpType::Conv2d:
            return {2, 3, check_conv2d};
        case OpType::Adain:
            return {3, 4, check_adain};
        case OpType::Gemm:
            return {2, 3, check_gemm};
        case OpType::Resize:
            return {1, 1, check_resize};
        case OpType::Binary:
            return {2, 2, check_binary};
        case OpType::Unary:
            return {1, 1, check_unary};
        case OpType::ReduceMean:
            return {1, 1, check_reduce_mean};
        case OpType::Pad:
            return {1, 1, check_pad};
        case OpType::Reshape:
            return {1, 1, check_reshape};
        case OpType::Concat:
            return {1, kUnbounded, check_concat};
        case OpType::Transpose:
            return {1, 1, check_transpose};
        case OpType::Pool2d:
            return {1, 1, check_pool2d};
    }
    return {0, 0, nullptr};  // unreachable: the reader accepts only known types
}

const char* role_name(TensorRole role) {
    switch (role) {
        case TensorRole::Constant:
            return "constant";
        case TensorRole::Activation:
            return "activation";
        case TensorRole::Input:
            return "input";
        case TensorRole::Extra:
            return "extra (non-graph)";
    }
    return "?";
}

[[noreturn]] void fail(const std::string& label, const std::string& what) {
    throw Error(ErrorKind::Format, str_cat(label, ": ", what));
}

// Names the API looks tensors up by must be present and distinct.
void check_interface(const ModelDescription& model, const std::string& label) {
    std::set<uint32_t> listed_inputs;
    for (uint32_t i : model.inputs) {
        if (!listed_inputs.insert(i).second) {
            fail(label, str_cat("tensor ", i, " '", model.tensors[i].name,
                                "' is listed twice as a graph input"));
        }
    }
    if (model.outputs.empty()) fail(label, "the graph has no outputs");
    std::set<uint32_t> listed_outputs;
    for (uint32_t o : model.outputs) {
        const auto& t = model.tensors[o];
        if (!listed_outputs.insert(o).second) {
            fail(label, str_cat("tensor ", o, " '", t.name, "' is listed twice as a graph output"));
        }
        if (t.role != TensorRole::Activation && t.role != TensorRole::Constant) {
            fail(label,
                 str_cat("graph output '", t.name, "' (tensor ", o, ") is an ", role_name(t.role),
                         " tensor; outputs are activations or constants"));
        }
    }
    std::set<std::string> names;
    for (uint32_t i = 0; i < model.tensors.size(); ++i) {
        const auto& t = model.tensors[i];
        if (t.role == TensorRole::Input && listed_inputs.count(i) == 0) {
            fail(label, str_cat("tensor ", i, " '", t.name,
                                "' has the Input role but is not a graph input"));
        }
        const bool named = t.role == TensorRole::Input || t.role == TensorRole::Extra ||
                           listed_outputs.count(i) != 0;
        if (!named) continue;
        if (t.name.empty())
            fail(label, str_cat("tensor ", i, " (", role_name(t.role), ") has no name"));
        if (!names.insert(t.name).second) {
            fail(label, str_cat("the name '", t.name,
                                "' is used by two graph inputs, outputs or "
                                "extra tensors"));
        }
    }
}

// Which op writes each tensor (SIZE_MAX: none); a second writer is an error.
std::vector<size_t> find_producers(const ModelDescription& model, const std::string& label) {
    std::vector<size_t> producer(model.tensors.size(), kUnbounded);
    for (size_t k = 0; k < model.ops.size(); ++k) {
        OpCheck c(model, k, label);
        if (model.ops[k].outputs.size() != 1) {
            c.fail("has ", model.ops[k].outputs.size(), " outputs, expected 1");
        }
        const uint32_t o = model.ops[k].outputs[0];
        const auto& t = model.tensors[o];
        if (t.role != TensorRole::Activation) {
            c.fail("writes '", t.name, "' (tensor ", o, "), a ", role_name(t.role), " tensor");
        }
        if (producer[o] != kUnbounded) {
            c.fail("writes '", t.name, "' (tensor ", o, "), which op ", producer[o],
                   " already writes");
        }
        producer[o] = k;
    }
    return producer;
}

void check_inputs(const ModelDescription& model, size_t k, OpCheck& c,
                  const std::vector<size_t>& producer) {
    const auto& op = model.ops[k];
    const Arity arity = arity_of(op.type);
    if (op.inputs.size() < arity.min_inputs || op.inputs.size() > arity.max_inputs) {
        c.fail("has ", op.inputs.size(), " inputs, expected ", arity.min_inputs,
               (arity.max_inputs == arity.min_inputs ? std::string()
                : arity.max_inputs == kUnbounded     ? std::string(" or more")
                                                     : str_cat(" to ", arity.max_inputs)));
    }
    for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
        const uint32_t i = op.inputs[slot];
        if (i == kNoTensor) {
            // Optional slots are the ones past the minimum; Concat has none.
            if (slot < arity.min_inputs || op.type == OpType::Concat) {
                c.fail("required input ", slot, " is missing");
            }
            continue;
        }
        const auto& t = model.tensors[i];
        if (t.role == TensorRole::Extra) {
            c.fail("reads '", t.name, "' (tensor ", i, "), an extra tensor outside the graph");
        }
        if (t.role != TensorRole::Activation) continue;
        if (producer[i] == kUnbounded) {
            c.fail("reads '", t.name, "' (tensor ", i, "), which no op writes");
        }
        if (producer[i] >= k) {
            c.fail("reads '", t.name, "' (tensor ", i, ") before op ", producer[i],
                   " writes it: the ops are not in execution order");
        }
    }
}

}  // namespace

ValidatedGraph validate_graph(const ModelDescription& model, const std::string& label) {
    check_interface(model, label);
    const std::vector<size_t> producer = find_producers(model, label);
    for (uint32_t o : model.outputs) {
        if (model.tensors[o].role == TensorRole::Activation && producer[o] == kUnbounded) {
            fail(label,
                 str_cat("graph output '", model.tensors[o].name, "' is not written by any op"));
        }
    }

    ValidatedGraph graph;
    graph.ops.reserve(model.ops.size());
    for (size_t k = 0; k < model.ops.size(); ++k) {
        OpCheck c(model, k, label);
        check_inputs(model, k, c, producer);
        const auto& op = model.ops[k];
        CheckedOp checked;
        checked.type = op.type;
        checked.inputs = op.inputs;
        checked.output = op.outputs[0];
        checked.params = arity_of(op.type).check(c);
        graph.ops.push_back(std::move(checked));
    }
    return graph;
}

}  // namespace swaprun::graph
