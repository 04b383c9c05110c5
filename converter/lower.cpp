#include "converter/lower.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "converter/passes/shape_math.h"
#include "kernels/kernel_types.h"
#include "util/error.h"

namespace swaprun::convert {

namespace {

using format::Attribute;
using format::OpDescription;
using format::TensorRole;

Attribute ints(std::vector<int64_t> v) { return Attribute{std::move(v), {}}; }
Attribute floats(std::vector<float> v) { return Attribute{{}, std::move(v)}; }
Attribute one_int(int64_t v) { return ints({v}); }
Attribute one_float(float v) { return floats({v}); }

class Lowering {
  public:
    explicit Lowering(Graph& g) : g_(g) {}

    format::ModelDescription run() {
        for (const auto& in : g_.inputs) desc_.inputs.push_back(tensor(in));
        for (const auto& node : g_.nodes) lower_node(node);
        for (const auto& out : g_.outputs) {
            if (std::find(g_.inputs.begin(), g_.inputs.end(), out) != g_.inputs.end()) {
                throw Error(ErrorKind::Unsupported, g_.source + ": graph output '" + out +
                                                        "' is a graph input; nothing computes it");
            }
            desc_.outputs.push_back(tensor(out));
        }
        for (const auto& extra : g_.extras) {
            uint32_t index = tensor(extra);
            desc_.tensors[index].role = TensorRole::Extra;
        }
        return std::move(desc_);
    }

  private:
    [[noreturn]] void fail(const Node& n, const std::string& why,
                           ErrorKind kind = ErrorKind::Unsupported) const {
        throw Error(kind, g_.source + ": " + n.describe() + ": " + why);
    }

    // The description's index of value `name`, adding its tensor on first use.
    uint32_t tensor(const std::string& name) {
        auto it = index_.find(name);
        if (it != index_.end()) return it->second;
        Value& v = g_.value(name);
        if (v.is_constant && !v.is_float()) {
            // An integer constant operand of a float op (e.g. Pow's exponent).
            v.floats.assign(v.ints.begin(), v.ints.end());
            v.ints.clear();
            v.element_type = static_cast<int32_t>(onnx::ElementType::Float);
        }
        if (!v.is_float()) {
            throw Error(ErrorKind::Unsupported, g_.source + ": value '" + name +
                                                    "' has element type " +
                                                    onnx::element_type_name(v.element_type) +
                                                    "; the runtime computes float tensors only");
        }
        if (v.shape.size() > 8) {
            throw Error(ErrorKind::Unsupported, g_.source + ": value '" + name + "' has rank " +
                                                    std::to_string(v.shape.size()) +
                                                    " (at most 8)");
        }
        for (int64_t d : v.shape) {
            if (d < 1) {
                throw Error(ErrorKind::Unsupported, g_.source + ": value '" + name +
                                                        "' has an empty dimension " +
                                                        format_dims(v.shape));
            }
        }
        format::TensorDescription t;
        t.name = name;
        t.shape = v.shape;
        if (v.is_constant) {
            t.role = TensorRole::Constant;
            t.data = v.floats;
        } else if (std::find(g_.inputs.begin(), g_.inputs.end(), name) != g_.inputs.end()) {
            t.role = TensorRole::Input;
        } else {
            t.role = TensorRole::Activation;
        }
        const auto index = static_cast<uint32_t>(desc_.tensors.size());
        desc_.tensors.push_back(std::move(t));
        index_[name] = index;
        return index;
    }

    OpDescription& emit(const Node& n, OpType type, const std::vector<std::string>& inputs) {
        OpDescription op;
        op.type = type;
        op.name = n.name;
        for (const auto& in : inputs) op.inputs.push_back(in.empty() ? kNoTensor : tensor(in));
        op.outputs.push_back(tensor(n.outputs[0]));
        desc_.ops.push_back(std::move(op));
        return desc_.ops.back();
    }

    void require_constant(const Node& n, size_t input, const std::string& what) {
        if (n.has_input(input) && !g_.is_constant(n.inputs[input])) {
            fail(n, what + " must be a constant (bind it with --bind when it is a graph input)");
        }
    }

    void lower_node(const Node& n) {
        const std::string& op = n.op_type;
        if (op == "Conv") return lower_conv(n);
        if (op == "swaprun.Adain") return lower_adain(n);
        if (op == "Gemm" || op == "MatMul") return lower_gemm(n);
        if (op == "Resize" || op == "Upsample") return lower_resize(n);
        if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" ||
            op == "Max" || op == "Min" || op == "PRelu") {
            return lower_binary(n);
        }
        if (op == "Relu" || op == "LeakyRelu" || op == "Tanh" || op == "Sigmoid" || op == "Sqrt" ||
            op == "Neg" || op == "Abs" || op == "Exp" || op == "Log" || op == "swaprun.TanhUnit") {
            return lower_unary(n);
        }
        if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
            op == "Identity" || op == "Dropout" || op == "Cast") {
            emit(n, OpType::Reshape, {n.inputs[0]});
            return;
        }
        if (op == "ReduceMean") {
            emit(n, OpType::ReduceMean, {n.inputs[0]}).attributes["axes"] =
                ints(n.ints_attr("axes"));
            return;
        }
        if (op == "Pad") return lower_pad(n);
        if (op == "MaxPool" || op == "AveragePool") return lower_pool(n);
        if (op == "Reciprocal") {
            const std::string one = g_.add_constant(n.name + "_one", {}, {1.0f});
            emit(n, OpType::Binary, {one, n.inputs[0]}).attributes["op"] =
                one_int(static_cast<int64_t>(kernels::BinaryOp::Div));
            return;
        }
        if (op == "Concat") {
            const int64_t rank = static_cast<int64_t>(g_.value(n.inputs[0]).shape.size());
            emit(n, OpType::Concat, n.inputs).attributes["axis"] =
                one_int(normalize_axis(n.int_attr("axis", 0), rank, n.describe()));
            return;
        }
        if (op == "Transpose") {
            emit(n, OpType::Transpose, {n.inputs[0]}).attributes["perm"] =
                ints(n.ints_attr("perm"));
            return;
        }
        if (op == "BatchNormalization") return lower_batchnorm(n);
        if (op == "Slice" || op == "Split" || op == "Gather") {
            fail(n,
                 op +
                     " of a run-time tensor is supported only as the scale/shift split of an AdaIN "
                     "modulation (bind its input to a constant to fold it)");
        }
        fail(n, "no runtime op implements it here");
    }

    void lower_conv(const Node& n) {
        require_constant(n, 1, "the weight");
        require_constant(n, 2, "the bias");
        std::vector<std::string> inputs = {n.inputs[0], n.inputs[1],
                                           n.has_input(2) ? n.inputs[2] : ""};
        auto& op = emit(n, OpType::Conv2d, inputs);
        op.attributes["strides"] = ints(n.ints_attr("strides"));
        op.attributes["dilations"] = ints(n.ints_attr("dilations"));
        op.attributes["pads"] = ints(n.ints_attr("pads"));
        op.attributes["groups"] = one_int(n.int_attr("group", 1));
        op.attributes["pad_mode"] = one_int(n.int_attr("pad_mode", 0));
        op.attributes["activation"] = one_int(n.int_attr("activation", 0));
        op.attributes["alpha"] = one_float(n.float_attr("alpha", 0.0f));
    }

    void lower_adain(const Node& n) {
        const Dims& x = g_.value(n.inputs[0]).shape;
        const int64_t channels = x[1];
        for (size_t k : {1, 2}) {
            const int64_t offset = n.int_attr(k == 1 ? "scale_offset" : "shift_offset", 0);
            if (offset + channels > g_.value(n.inputs[k]).element_count()) {
                fail(n, "the modulation source '" + n.inputs[k] + "' is too small",
                     ErrorKind::Internal);
            }
        }
        std::vector<std::string> inputs = {n.inputs[0], n.inputs[1], n.inputs[2],
                                           n.inputs.size() > 3 ? n.inputs[3] : ""};
        auto& op = emit(n, OpType::Adain, inputs);
        op.attributes["epsilon"] = one_float(n.float_attr("epsilon", 1e-5f));
        op.attributes["scale_offset"] = one_int(n.int_attr("scale_offset", 0));
        op.attributes["shift_offset"] = one_int(n.int_attr("shift_offset", 0));
        // A constant per-channel vector (InstanceNormalization) is shared by the batch;
        // a traced slice exists for batch 1 only.
        op.attributes["scale_batch_stride"] = one_int(0);
        op.attributes["shift_batch_stride"] = one_int(0);
        op.attributes["activation"] = one_int(n.int_attr("activation", 0));
        op.attributes["alpha"] = one_float(n.float_attr("alpha", 0.0f));
    }

    void lower_gemm(const Node& n) {
        std::vector<std::string> inputs = {n.inputs[0], n.inputs[1],
                                           n.has_input(2) ? n.inputs[2] : ""};
        auto& op = emit(n, OpType::Gemm, inputs);
        op.attributes["trans_a"] = one_int(n.int_attr("transA", 0));
        op.attributes["trans_b"] = one_int(n.int_attr("transB", 0));
        op.attributes["alpha"] = one_float(n.float_attr("alpha", 1.0f));
        op.attributes["beta"] = one_float(n.float_attr("beta", 1.0f));
        op.attributes["activation"] = one_int(0);
        op.attributes["leaky_alpha"] = one_float(0.0f);
    }

    void lower_resize(const Node& n) {
        std::string mode = n.string_attr("mode", "nearest");
        std::string ctm = n.string_attr("coordinate_transformation_mode", "half_pixel");
        std::string nm = n.string_attr("nearest_mode", "round_prefer_floor");
        if (n.op_type == "Upsample" || g_.opset < 11) {
            // Upsample and Resize-10 predate the coordinate modes: asymmetric, floor.
            ctm = "asymmetric";
            nm = "floor";
        }
        if (mode == "bilinear") mode = "linear";
        kernels::ResizeMode m;
        if (mode == "nearest")
            m = kernels::ResizeMode::Nearest;
        else if (mode == "linear")
            m = kernels::ResizeMode::Linear;
        else if (mode == "cubic")
            m = kernels::ResizeMode::Cubic;
        else
            fail(n, "resize mode '" + mode + "' is not supported");
        kernels::ResizeCoordinates c;
        if (ctm == "half_pixel")
            c = kernels::ResizeCoordinates::HalfPixel;
        else if (ctm == "pytorch_half_pixel")
            c = kernels::ResizeCoordinates::PytorchHalfPixel;
        else if (ctm == "align_corners")
            c = kernels::ResizeCoordinates::AlignCorners;
        else if (ctm == "asymmetric")
            c = kernels::ResizeCoordinates::Asymmetric;
        else if (ctm == "tf_half_pixel_for_nn")
            c = kernels::ResizeCoordinates::TfHalfPixelForNn;
        else
            fail(n, "coordinate_transformation_mode '" + ctm + "' is not supported");
        kernels::NearestRounding r;
        if (nm == "round_prefer_floor")
            r = kernels::NearestRounding::RoundPreferFloor;
        else if (nm == "round_prefer_ceil")
            r = kernels::NearestRounding::RoundPreferCeil;
        else if (nm == "floor")
            r = kernels::NearestRounding::Floor;
        else if (nm == "ceil")
            r = kernels::NearestRounding::Ceil;
        else
            fail(n, "nearest_mode '" + nm + "' is not supported");
        auto& op = emit(n, OpType::Resize, {n.inputs[0]});
        op.attributes["mode"] = one_int(static_cast<int64_t>(m));
        op.attributes["coordinates"] = one_int(static_cast<int64_t>(c));
        op.attributes["nearest"] = one_int(static_cast<int64_t>(r));
        op.attributes["cubic_coeff_a"] = one_float(n.float_attr("cubic_coeff_a", -0.75f));
        op.attributes["exclude_outside"] = one_int(n.int_attr("exclude_outside", 0));
        op.attributes["scales"] = floats(n.floats_attr("resolved_scales"));
    }

    void lower_binary(const Node& n) {
        static const std::map<std::string, kernels::BinaryOp> ops = {
            {"Add", kernels::BinaryOp::Add}, {"Sub", kernels::BinaryOp::Sub},
            {"Mul", kernels::BinaryOp::Mul}, {"Div", kernels::BinaryOp::Div},
            {"Pow", kernels::BinaryOp::Pow}, {"Max", kernels::BinaryOp::Max},
            {"Min", kernels::BinaryOp::Min}, {"PRelu", kernels::BinaryOp::PRelu}};
        const auto op = one_int(static_cast<int64_t>(ops.at(n.op_type)));
        if (n.inputs.size() == 1) {  // single-input Max/Min
            emit(n, OpType::Reshape, {n.inputs[0]});
            return;
        }
        // Variadic Max/Min: a chain of binary ops through partial results.
        std::string partial = n.inputs[0];
        for (size_t k = 1; k + 1 < n.inputs.size(); ++k) {
            const Dims shape = broadcast_shapes(g_.value(partial).shape,
                                                g_.value(n.inputs[k]).shape, n.describe());
            Value v = g_.value(n.outputs[0]);
            v.name = g_.unique_name(n.outputs[0] + "_partial");
            v.shape = shape;
            g_.values[v.name] = v;
            Node step = n;
            step.outputs = {v.name};
            emit(step, OpType::Binary, {partial, n.inputs[k]}).attributes["op"] = op;
            partial = v.name;
        }
        emit(n, OpType::Binary, {partial, n.inputs.back()}).attributes["op"] = op;
    }

    void lower_unary(const Node& n) {
        static const std::map<std::string, kernels::UnaryOp> ops = {
            {"Relu", kernels::UnaryOp::Relu}, {"LeakyRelu", kernels::UnaryOp::LeakyRelu},
            {"Tanh", kernels::UnaryOp::Tanh}, {"Sigmoid", kernels::UnaryOp::Sigmoid},
            {"Sqrt", kernels::UnaryOp::Sqrt}, {"Neg", kernels::UnaryOp::Neg},
            {"Abs", kernels::UnaryOp::Abs},   {"Exp", kernels::UnaryOp::Exp},
            {"Log", kernels::UnaryOp::Log},   {"swaprun.TanhUnit", kernels::UnaryOp::TanhUnit}};
        auto& op = emit(n, OpType::Unary, {n.inputs[0]});
        op.attributes["op"] = one_int(static_cast<int64_t>(ops.at(n.op_type)));
        op.attributes["alpha"] =
            one_float(n.op_type == "LeakyRelu" ? n.float_attr("alpha", 0.01f) : 0.0f);
    }

    void lower_pool(const Node& n) {
        const bool is_max = n.op_type == "MaxPool";
        auto& op = emit(n, OpType::Pool2d, {n.inputs[0]});
        op.attributes["kind"] = one_int(
            static_cast<int64_t>(is_max ? kernels::PoolKind::Max : kernels::PoolKind::Average));
        op.attributes["kernel"] = ints(n.ints_attr("kernel_shape"));
        op.attributes["strides"] = ints(n.ints_attr("strides"));
        // ONNX pads: [top, left, bottom, right] for the two spatial axes, as Pool2d's.
        op.attributes["pads"] = ints(n.ints_attr("pads"));
        op.attributes["ceil_mode"] = one_int(n.int_attr("ceil_mode", 0));
        op.attributes["count_include_pad"] =
            one_int(is_max ? 0 : n.int_attr("count_include_pad", 0));
    }

    void lower_pad(const Node& n) {
        const std::string mode = n.string_attr("mode", "constant");
        kernels::PadMode m = mode == "reflect" ? kernels::PadMode::Reflect
                             : mode == "edge"  ? kernels::PadMode::Edge
                                               : kernels::PadMode::Constant;
        auto& op = emit(n, OpType::Pad, {n.inputs[0]});
        op.attributes["pads"] = ints(n.ints_attr("pads"));
        op.attributes["mode"] = one_int(static_cast<int64_t>(m));
        op.attributes["value"] = floats(n.floats_attr("value"));
    }

    // Inference-mode batch norm not absorbed by a convolution: y = x * a + b per channel.
    void lower_batchnorm(const Node& n) {
        for (size_t k = 1; k < 5; ++k) require_constant(n, k, "the statistics and parameters");
        const Dims& x = g_.value(n.inputs[0]).shape;
        const int64_t channels = x[1];
        const float eps = n.float_attr("epsilon", 1e-5f);
        const auto& scale = g_.value(n.inputs[1]).floats;
        const auto& beta = g_.value(n.inputs[2]).floats;
        const auto& mean = g_.value(n.inputs[3]).floats;
        const auto& var = g_.value(n.inputs[4]).floats;
        std::vector<float> a(channels), b(channels);
        for (int64_t c = 0; c < channels; ++c) {
            const double k = scale[c] / std::sqrt(static_cast<double>(var[c]) + eps);
            a[c] = static_cast<float>(k);
            b[c] = static_cast<float>(beta[c] - mean[c] * k);
        }
        Dims channel_shape(x.size() - 1, 1);
        channel_shape[0] = channels;
        const std::string a_name = g_.add_constant(n.name + "_scale", channel_shape, std::move(a));
        const std::string b_name = g_.add_constant(n.name + "_shift", channel_shape, std::move(b));
        const std::string scaled = g_.unique_name(n.name + "_scaled");
        Value v = g_.value(n.outputs[0]);
        v.name = scaled;
        g_.values[scaled] = v;
        Node mul = n;
        mul.outputs = {scaled};
        emit(mul, OpType::Binary, {n.inputs[0], a_name}).attributes["op"] =
            one_int(static_cast<int64_t>(kernels::BinaryOp::Mul));
        emit(n, OpType::Binary, {scaled, b_name}).attributes["op"] =
            one_int(static_cast<int64_t>(kernels::BinaryOp::Add));
    }

    Graph& g_;
    format::ModelDescription desc_;
    std::map<std::string, uint32_t> index_;
};

}  // namespace

format::ModelDescription lower(Graph& graph) { return Lowering(graph).run(); }

}  // namespace swaprun::convert
