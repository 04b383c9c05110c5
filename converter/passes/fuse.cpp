// Pattern fusion: rewrites what ONNX exporters write into the runtime's fused ops.
//
//   Tanh -> Add 1 -> Div 2 (or Mul 0.5)           => swaprun.TanhUnit
//   Pad (zero | reflect | edge, spatial) -> Conv  => Conv with pads and a pad mode
//   Conv -> BatchNormalization                    => Conv with rescaled weights and bias
//   Gemm -> BatchNormalization (BatchNorm1d)      => Gemm with rescaled weights and bias
//   ReduceMean, Sub, Mul|Pow, ReduceMean, Add eps, Sqrt, Div (instance norm written
//     with primitive ops), or InstanceNormalization => swaprun.Adain
//   swaprun.Adain -> Mul scale -> Add shift       => modulated swaprun.Adain; scale and
//     shift are traced through Reshape/Unsqueeze/Slice/Split to a slice of one tensor
//     (the Gemm on the source latent) or of a constant
//   swaprun.Adain | Conv -> activation            => activation in the epilogue
//   swaprun.Adain -> Add residual                 => residual in the epilogue
//
// A pattern is rewritten only when every intermediate value has no other reader and
// is not a graph output, so the fused op computes exactly what the nodes did.
#include <algorithm>
#include <cmath>

#include "converter/passes/passes.h"
#include "converter/passes/shape_math.h"
#include "kernels/kernel_types.h"
#include "util/error.h"

namespace swaprun::convert {

namespace {

using kernels::Activation;

class Fuser {
  public:
    explicit Fuser(Graph& g) : g_(g) {}

    void run() {
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_tanh_unit(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_pad_conv(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_conv_batchnorm(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_gemm_batchnorm(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_instance_norm(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_modulation(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_activation(i);
        for (size_t i = 0; i < g_.nodes.size(); ++i) fuse_residual(i);
        std::erase_if(g_.nodes, [](const Node& n) { return n.op_type.empty(); });
        g_.remove_dead_nodes();
    }

  private:
    Node& node(size_t i) { return g_.nodes[i]; }
    void kill(size_t i) {
        node(i).op_type.clear();
        node(i).inputs.clear();
        node(i).outputs.clear();
    }

    // The only node reading `value`, when there is exactly one and the value is not a
    // graph output.
    std::optional<size_t> sole_consumer(const std::string& value) const {
        if (g_.is_graph_output(value)) return std::nullopt;
        auto c = g_.consumers(value);
        if (c.size() != 1) return std::nullopt;
        return c[0];
    }

    // The operand of binary node `n` that is not `value` (nullopt if both are).
    std::optional<std::string> other_operand(const Node& n, const std::string& value) const {
        if (n.inputs.size() != 2) return std::nullopt;
        if (n.inputs[0] == value && n.inputs[1] != value) return n.inputs[1];
        if (n.inputs[1] == value && n.inputs[0] != value) return n.inputs[0];
        return std::nullopt;
    }

    std::optional<float> scalar_constant(const std::string& name) const {
        if (!g_.is_constant(name)) return std::nullopt;
        const Value& v = g_.value(name);
        if (v.element_count() != 1) return std::nullopt;
        if (!v.floats.empty()) return v.floats[0];
        if (!v.ints.empty()) return static_cast<float>(v.ints[0]);
        return std::nullopt;
    }

    void fuse_tanh_unit(size_t i) {
        if (node(i).op_type != "Tanh") return;
        const std::string t = node(i).outputs[0];
        auto add = sole_consumer(t);
        if (!add || node(*add).op_type != "Add") return;
        auto one = other_operand(node(*add), t);
        if (!one || scalar_constant(*one) != 1.0f) return;
        const std::string sum = node(*add).outputs[0];
        auto half = sole_consumer(sum);
        if (!half) return;
        const Node& h = node(*half);
        if (h.op_type == "Div") {
            if (h.inputs[0] != sum || scalar_constant(h.inputs[1]) != 2.0f) return;
        } else if (h.op_type == "Mul") {
            auto k = other_operand(h, sum);
            if (!k || scalar_constant(*k) != 0.5f) return;
        } else {
            return;
        }
        node(i).op_type = "swaprun.TanhUnit";
        node(i).outputs[0] = node(*half).outputs[0];
        kill(*add);
        kill(*half);
    }

    void fuse_pad_conv(size_t i) {
        if (node(i).op_type != "Pad") return;
        const Node& pad = node(i);
        auto conv = sole_consumer(pad.outputs[0]);
        if (!conv || node(*conv).op_type != "Conv" || node(*conv).inputs[0] != pad.outputs[0])
            return;
        const Dims pads = pad.ints_attr("pads");
        if (pads.size() != 8) return;
        for (int a : {0, 1, 4, 5}) {
            if (pads[a] != 0) return;
        }
        for (auto p : pads) {
            if (p < 0) return;
        }
        const std::string mode = pad.string_attr("mode", "constant");
        Node& c = node(*conv);
        Dims conv_pads = c.ints_attr("pads");
        const bool conv_pads_zero =
            std::all_of(conv_pads.begin(), conv_pads.end(), [](int64_t p) { return p == 0; });
        kernels::PadMode pad_mode;
        if (mode == "constant") {
            if (pad.floats_attr("value").at(0) != 0.0f) return;
            pad_mode = kernels::PadMode::Constant;
        } else {
            if (!conv_pads_zero) return;  // one pad mode per convolution
            pad_mode = mode == "reflect" ? kernels::PadMode::Reflect : kernels::PadMode::Edge;
        }
        // ONNX pads: [x1_begin .. xn_begin, x1_end .. xn_end]; Conv: [top, left, bottom, right].
        conv_pads[0] += pads[2];
        conv_pads[1] += pads[3];
        conv_pads[2] += pads[6];
        conv_pads[3] += pads[7];
        c.set_ints("pads", conv_pads);
        c.set_ints("pad_mode", {static_cast<int64_t>(pad_mode)});
        c.inputs[0] = pad.inputs[0];
        kill(i);
    }

    void fuse_conv_batchnorm(size_t i) {
        if (node(i).op_type != "BatchNormalization") return;
        auto conv = g_.producer(node(i).inputs[0]);
        if (!conv || node(*conv).op_type != "Conv" || !sole_consumer(node(i).inputs[0])) return;
        Node& c = node(*conv);
        if (c.attribute("activation")) return;
        for (size_t k = 1; k < 5; ++k) {
            if (!node(i).has_input(k) || !g_.is_constant(node(i).inputs[k])) return;
        }
        if (!g_.is_constant(c.inputs[1]) || (c.has_input(2) && !g_.is_constant(c.inputs[2])))
            return;
        const float eps = node(i).float_attr("epsilon", 1e-5f);
        const auto& scale = g_.value(node(i).inputs[1]).floats;
        const auto& beta = g_.value(node(i).inputs[2]).floats;
        const auto& mean = g_.value(node(i).inputs[3]).floats;
        const auto& var = g_.value(node(i).inputs[4]).floats;
        const Value& w = g_.value(c.inputs[1]);
        const int64_t out_c = w.shape[0], per_out = w.element_count() / out_c;
        std::vector<float> weight = w.floats, bias(out_c, 0.0f);
        if (c.has_input(2)) bias = g_.value(c.inputs[2]).floats;
        for (int64_t o = 0; o < out_c; ++o) {
            const double a = scale[o] / std::sqrt(static_cast<double>(var[o]) + eps);
            for (int64_t k = 0; k < per_out; ++k)
                weight[o * per_out + k] = static_cast<float>(weight[o * per_out + k] * a);
            bias[o] = static_cast<float>((bias[o] - mean[o]) * a + beta[o]);
        }
        c.inputs.resize(3);
        c.inputs[1] = g_.add_constant(c.inputs[1] + "_bn", w.shape, std::move(weight));
        c.inputs[2] = g_.add_constant(c.name + "_bias_bn", {out_c}, std::move(bias));
        c.outputs[0] = node(i).outputs[0];
        kill(i);
    }

    // y = bn(alpha * A * B + beta * C) per output column j, with a_j = gamma_j /
    // sqrt(var_j + eps): B's column j times a_j, C'_j = a_j * (beta * C_j - mean_j) +
    // bn_beta_j, beta 1. Only for a constant B and a bias that is per column (or absent).
    void fuse_gemm_batchnorm(size_t i) {
        if (node(i).op_type != "BatchNormalization") return;
        auto gemm = g_.producer(node(i).inputs[0]);
        if (!gemm || node(*gemm).op_type != "Gemm" || !sole_consumer(node(i).inputs[0])) return;
        for (size_t k = 1; k < 5; ++k) {
            if (!node(i).has_input(k) || !g_.is_constant(node(i).inputs[k])) return;
        }
        Node& m = node(*gemm);
        if (!g_.is_constant(m.inputs[1])) return;
        const Dims& y = g_.value(m.outputs[0]).shape;
        if (y.size() != 2) return;
        const int64_t cols = y[1];
        std::vector<float> bias(cols, 0.0f);
        if (m.has_input(2)) {
            if (!g_.is_constant(m.inputs[2])) return;
            const Value& c = g_.value(m.inputs[2]);
            if (c.element_count() != cols || c.shape.size() > 2 ||
                (c.shape.size() == 2 && c.shape[0] != 1)) {
                return;
            }
            bias = c.floats;
        }
        const float eps = node(i).float_attr("epsilon", 1e-5f);
        const float beta = m.float_attr("beta", 1.0f);
        const auto& gamma = g_.value(node(i).inputs[1]).floats;
        const auto& shift = g_.value(node(i).inputs[2]).floats;
        const auto& mean = g_.value(node(i).inputs[3]).floats;
        const auto& var = g_.value(node(i).inputs[4]).floats;
        const Value& b = g_.value(m.inputs[1]);
        const bool trans_b = m.int_attr("transB", 0) != 0;
        const int64_t inner = b.element_count() / cols;
        std::vector<float> weight = b.floats;
        for (int64_t j = 0; j < cols; ++j) {
            const double a = gamma[j] / std::sqrt(static_cast<double>(var[j]) + eps);
            for (int64_t k = 0; k < inner; ++k) {
                float& w = trans_b ? weight[j * inner + k] : weight[k * cols + j];
                w = static_cast<float>(w * a);
            }
            bias[j] =
                static_cast<float>((static_cast<double>(beta) * bias[j] - mean[j]) * a + shift[j]);
        }
        m.inputs.resize(3);
        m.inputs[1] = g_.add_constant(m.inputs[1] + "_bn", b.shape, std::move(weight));
        m.inputs[2] = g_.add_constant(m.name + "_bias_bn", {cols}, std::move(bias));
        m.set_floats("beta", {1.0f});
        m.outputs[0] = node(i).outputs[0];
        kill(i);
    }

    // Matches the primitive instance-norm chain ending at Div node i.
    void fuse_instance_norm(size_t i) {
        if (node(i).op_type == "InstanceNormalization") {
            Node& n = node(i);
            const float eps = n.float_attr("epsilon", 1e-5f);
            n.op_type = "swaprun.Adain";
            n.attributes.clear();
            n.set_floats("epsilon", {eps});
            n.set_ints("modulated", {1});
            return;
        }
        if (node(i).op_type != "Div") return;
        const std::string d = node(i).inputs[0];
        auto sqrt_node = g_.producer(node(i).inputs[1]);
        if (!sqrt_node || node(*sqrt_node).op_type != "Sqrt") return;
        auto add_node = g_.producer(node(*sqrt_node).inputs[0]);
        if (!add_node || node(*add_node).op_type != "Add") return;
        std::optional<std::string> var_name, eps_name;
        for (int k = 0; k < 2; ++k) {
            if (scalar_constant(node(*add_node).inputs[k])) {
                eps_name = node(*add_node).inputs[k];
                var_name = node(*add_node).inputs[1 - k];
            }
        }
        if (!var_name) return;
        auto var_mean = g_.producer(*var_name);
        if (!var_mean || !is_spatial_mean(*var_mean)) return;
        auto square = g_.producer(node(*var_mean).inputs[0]);
        if (!square) return;
        const Node& sq = node(*square);
        const bool is_square =
            (sq.op_type == "Mul" && sq.inputs[0] == d && sq.inputs[1] == d) ||
            (sq.op_type == "Pow" && sq.inputs[0] == d && scalar_constant(sq.inputs[1]) == 2.0f);
        if (!is_square) return;
        auto sub = g_.producer(d);
        if (!sub || node(*sub).op_type != "Sub") return;
        const std::string x = node(*sub).inputs[0];
        auto mean = g_.producer(node(*sub).inputs[1]);
        if (!mean || !is_spatial_mean(*mean) || node(*mean).inputs[0] != x) return;
        // Every intermediate must feed only the chain.
        auto readers = [&](const std::string& v) {
            return g_.is_graph_output(v) ? 99 : g_.consumers(v).size();
        };
        if (readers(node(*mean).outputs[0]) != 1 || readers(d) != 2 ||
            readers(sq.outputs[0]) != 1 || readers(*var_name) != 1 ||
            readers(node(*add_node).outputs[0]) != 1 || readers(node(*sqrt_node).outputs[0]) != 1) {
            return;
        }
        const float eps = *scalar_constant(*eps_name);
        Node& n = node(i);
        n.op_type = "swaprun.Adain";
        n.inputs = {x};
        n.attributes.clear();
        n.set_floats("epsilon", {eps});
        n.set_ints("modulated", {0});
        for (size_t k : {*mean, *sub, *square, *var_mean, *add_node, *sqrt_node}) kill(k);
    }

    bool is_spatial_mean(size_t i) const {
        const Node& n = g_.nodes[i];
        if (n.op_type != "ReduceMean" || n.int_attr("keepdims", 1) != 1) return false;
        const Value& x = g_.value(n.inputs[0]);
        return x.shape.size() == 4 && n.ints_attr("axes") == Dims{2, 3};
    }

    // Follows `name` back through shape-only ops and slices to (source, element offset),
    // requiring `count` contiguous elements in the source.
    std::optional<std::pair<std::string, int64_t>> trace_slice(std::string name,
                                                               int64_t count) const {
        int64_t offset = 0;
        for (int guard = 0; guard < 16; ++guard) {
            if (g_.is_constant(name)) return std::make_pair(name, offset);
            auto p = g_.producer(name);
            if (!p) return std::make_pair(name, offset);  // a graph input
            const Node& n = g_.nodes[*p];
            const std::string& op = n.op_type;
            if (op == "Reshape" || op == "Unsqueeze" || op == "Squeeze" || op == "Flatten" ||
                op == "Identity") {
                name = n.inputs[0];
                continue;
            }
            if (op == "Slice" || op == "Split") {
                const Dims& in = g_.value(n.inputs[0]).shape;
                const Dims& out = g_.value(name).shape;
                // Contiguous only when every axis but one is whole and the axes before
                // the cut axis have size 1.
                int cut = -1;
                for (size_t a = 0; a < in.size(); ++a) {
                    if (in[a] != out[a]) {
                        if (cut >= 0) return std::nullopt;
                        cut = static_cast<int>(a);
                    }
                }
                if (cut < 0) {
                    name = n.inputs[0];
                    continue;
                }
                for (int a = 0; a < cut; ++a) {
                    if (in[a] != 1) return std::nullopt;
                }
                const int64_t inner = element_count(Dims(in.begin() + cut + 1, in.end()));
                int64_t start = 0;
                if (op == "Slice") {
                    auto s = slice_start(n, cut, in[cut]);
                    if (!s) return std::nullopt;
                    start = *s;
                } else {
                    for (size_t o = 0; o < n.outputs.size() && n.outputs[o] != name; ++o) {
                        start += g_.value(n.outputs[o]).shape[cut];
                    }
                }
                offset += start * inner;
                name = n.inputs[0];
                continue;
            }
            return std::make_pair(name, offset);
        }
        (void)count;
        return std::nullopt;
    }

    // The start index of a step-1 Slice on `axis`, from constant inputs or attributes.
    std::optional<int64_t> slice_start(const Node& n, int axis, int64_t dim) const {
        Dims starts, axes, steps;
        if (n.attribute("starts")) {
            starts = n.ints_attr("starts");
            axes = n.ints_attr("axes");
        } else {
            if (!g_.is_constant(n.inputs[1])) return std::nullopt;
            starts = g_.value(n.inputs[1]).ints;
            if (n.has_input(3)) axes = g_.value(n.inputs[3]).ints;
            if (n.has_input(4)) steps = g_.value(n.inputs[4]).ints;
        }
        const int64_t rank = static_cast<int64_t>(g_.value(n.inputs[0]).shape.size());
        for (size_t k = 0; k < starts.size(); ++k) {
            int64_t a = axes.empty() ? static_cast<int64_t>(k) : axes[k];
            if (a < 0) a += rank;
            if (a != axis) continue;
            if (!steps.empty() && steps[k] != 1) return std::nullopt;
            int64_t s = starts[k];
            if (s < 0) s += dim;
            return std::clamp<int64_t>(s, 0, dim);
        }
        return std::nullopt;
    }

    // A per-channel operand of an NCHW op: shape [C,1,1] or [1,C,1,1] (or [C] for rank 1).
    bool is_channel_vector(const Dims& shape, int64_t channels) const {
        if (element_count(shape) != channels) return false;
        Dims full(4, 1);
        if (shape.size() > 4) return false;
        for (size_t k = 0; k < shape.size(); ++k) full[4 - shape.size() + k] = shape[k];
        return full[1] == channels || channels == 1;
    }

    void fuse_modulation(size_t i) {
        Node& n = node(i);
        if (n.op_type != "swaprun.Adain" || n.int_attr("modulated", 1) != 0) return;
        const Dims& x = g_.value(n.inputs[0]).shape;
        const int64_t channels = x[1];
        auto finish_unmodulated = [&] {
            Node& m = node(i);
            m.inputs.resize(3);
            m.inputs[1] =
                g_.add_constant(m.name + "_ones", {channels}, std::vector<float>(channels, 1.0f));
            m.inputs[2] =
                g_.add_constant(m.name + "_zeros", {channels}, std::vector<float>(channels, 0.0f));
            m.set_ints("modulated", {1});
        };
        auto mul = sole_consumer(n.outputs[0]);
        if (!mul || node(*mul).op_type != "Mul") return finish_unmodulated();
        auto scale = other_operand(node(*mul), n.outputs[0]);
        if (!scale) return finish_unmodulated();
        auto add = sole_consumer(node(*mul).outputs[0]);
        if (!add || node(*add).op_type != "Add") return finish_unmodulated();
        auto shift = other_operand(node(*add), node(*mul).outputs[0]);
        if (!shift) return finish_unmodulated();
        if (!is_channel_vector(g_.value(*scale).shape, channels) ||
            !is_channel_vector(g_.value(*shift).shape, channels) || x[0] != 1) {
            return finish_unmodulated();
        }
        auto s = trace_slice(*scale, channels);
        auto b = trace_slice(*shift, channels);
        if (!s || !b) return finish_unmodulated();
        Node& m = node(i);
        m.inputs = {m.inputs[0], s->first, b->first};
        m.set_ints("scale_offset", {s->second});
        m.set_ints("shift_offset", {b->second});
        m.set_ints("modulated", {1});
        m.outputs[0] = node(*add).outputs[0];
        kill(*mul);
        kill(*add);
    }

    static std::optional<std::pair<Activation, float>> activation_of(const Node& n) {
        if (n.op_type == "Relu") return std::make_pair(Activation::Relu, 0.0f);
        if (n.op_type == "LeakyRelu")
            return std::make_pair(Activation::LeakyRelu, n.float_attr("alpha", 0.01f));
        if (n.op_type == "Tanh") return std::make_pair(Activation::Tanh, 0.0f);
        if (n.op_type == "Sigmoid") return std::make_pair(Activation::Sigmoid, 0.0f);
        if (n.op_type == "swaprun.TanhUnit") return std::make_pair(Activation::TanhUnit, 0.0f);
        return std::nullopt;
    }

    void fuse_activation(size_t i) {
        Node& n = node(i);
        if (n.op_type != "Conv" && n.op_type != "swaprun.Adain") return;
        if (n.attribute("activation")) return;
        auto next = sole_consumer(n.outputs[0]);
        if (!next) return;
        auto act = activation_of(node(*next));
        if (!act) return;
        if (n.op_type == "swaprun.Adain" && n.inputs.size() > 3) return;  // residual already added
        Node& m = node(i);
        m.set_ints("activation", {static_cast<int64_t>(act->first)});
        m.set_floats("alpha", {act->second});
        m.outputs[0] = node(*next).outputs[0];
        kill(*next);
    }

    void fuse_residual(size_t i) {
        Node& n = node(i);
        if (n.op_type != "swaprun.Adain" || n.inputs.size() > 3) return;
        auto add = sole_consumer(n.outputs[0]);
        if (!add || node(*add).op_type != "Add") return;
        auto other = other_operand(node(*add), n.outputs[0]);
        if (!other || g_.value(*other).shape != g_.value(n.outputs[0]).shape) return;
        // The residual must exist before the fused op runs.
        auto p = g_.producer(*other);
        if (p && *p > i) return;
        Node& m = node(i);
        m.inputs.push_back(*other);
        m.outputs[0] = node(*add).outputs[0];
        kill(*add);
    }

    Graph& g_;
};

}  // namespace

void fuse(Graph& graph) { Fuser(graph).run(); }

}  // namespace swaprun::convert
