// ONNX's own operator tests (Debian's libonnx-testdata) run through swapconv and the
// runtime: each test's model.onnx is converted, its inputs fed, and its outputs
// compared with the expected ones.
//
// Which tests run: every test under the data directory whose graph uses only op types
// the converter claims (kClaimedOps), minus the ones listed in kNotRun with the reason.
// Inputs that the runtime needs as constants (weights, pads, scales, shapes, axes,
// indices ...) are bound with --bind semantics; the data inputs stay run-time inputs.
// Where everything is bound the converter folds the graph away, and the folded
// constants are compared directly (this is how Shape, Gather, Slice, Cast ... with
// integer outputs are checked). Integer data of the data-movement and comparison ops
// (Pad, Max, Min) runs as float32, exactly, since every value in those tests is a small
// integer; no other op's integer data does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "converter/lower.h"
#include "converter/onnx/tensor_file.h"
#include "converter/passes/passes.h"
#include "format/swpk_io.h"
#include "swaprun/swaprun.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace {

const char* const kDataDir = "/usr/include/onnx/backend/test/data/node";

const std::set<std::string> kClaimedOps = {
    "Conv", "Pad", "Resize", "Upsample", "Gemm", "MatMul", "LeakyRelu", "Relu", "Tanh", "Sigmoid",
    "InstanceNormalization", "BatchNormalization", "ReduceMean", "Add", "Sub", "Mul", "Div", "Pow",
    "Max", "Min", "Sqrt", "Neg", "Abs", "Exp", "Log", "Floor", "Ceil", "Reciprocal", "Reshape",
    "Flatten", "Squeeze", "Unsqueeze", "Concat", "Slice", "Split", "Gather", "Shape", "Size", "Cast",
    "ConstantOfShape", "Constant", "Identity", "Transpose", "Range", "Expand", "Where", "Equal",
    "Less", "Greater", "Dropout", "PRelu", "MaxPool", "AveragePool"};

// Tests of claimed ops deliberately not run, with the reason.
const std::map<std::string, std::string> kNotRun = {
    {"test_add_uint8", "uint8 arithmetic: the runtime computes float32 only"},
    {"test_sub_uint8", "uint8 arithmetic: the runtime computes float32 only"},
    {"test_mul_uint8", "uint8 arithmetic: the runtime computes float32 only"},
    {"test_div_uint8", "uint8 arithmetic: the runtime computes float32 only"},
    {"test_resize_tf_crop_and_resize", "tf_crop_and_resize (a TensorFlow mode) is not supported"},
    {"test_batchnorm_epsilon_training_mode", "training-mode BatchNormalization is not supported"},
    {"test_batchnorm_example_training_mode", "training-mode BatchNormalization is not supported"},
    {"test_identity_sequence", "sequence types are not supported"},
    {"test_identity_opt", "optional types are not supported"},
    {"test_training_dropout", "training-mode Dropout (random) is not supported"},
    {"test_training_dropout_default", "training-mode Dropout (random) is not supported"},
    {"test_training_dropout_default_mask", "training-mode Dropout (random) is not supported"},
    {"test_training_dropout_mask", "training-mode Dropout (random) is not supported"},
    {"test_averagepool_1d_default", "pooling is 2-D (NCHW) only"},
    {"test_averagepool_3d_default", "pooling is 2-D (NCHW) only"},
    {"test_maxpool_1d_default", "pooling is 2-D (NCHW) only"},
    {"test_maxpool_3d_default", "pooling is 2-D (NCHW) only"},
    {"test_maxpool_2d_dilations", "dilated pooling is not supported"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool's Indices output is not supported"},
    {"test_maxpool_with_argmax_2d_precomputed_strides", "MaxPool's Indices output is not supported"},
    {"test_training_dropout_zero_ratio", "training-mode Dropout is not supported"},
    {"test_training_dropout_zero_ratio_mask", "training-mode Dropout is not supported"},
    {"test_cast_FLOAT_to_STRING", "string tensors are not supported"},
    {"test_cast_STRING_to_FLOAT", "string tensors are not supported"},
    {"test_castlike_FLOAT_to_STRING_expanded", "string tensors are not supported"},
    {"test_castlike_STRING_to_FLOAT_expanded", "string tensors are not supported"},
    {"test_cast_BFLOAT16_to_FLOAT", "the test data stores its bfloat16 input with type uint16"},
    {"test_castlike_BFLOAT16_to_FLOAT_expanded", "the test data stores its bfloat16 input with type uint16"},
    {"test_cast_FLOAT_to_BFLOAT16", "the test data stores its bfloat16 output with type uint16"},
    {"test_castlike_FLOAT_to_BFLOAT16_expanded", "the test data stores its bfloat16 output with type uint16"},
    {"test_pow_types_float", "an int64 result: the runtime computes float32 only"},
    {"test_matmul_3d", "batched (3-D) MatMul is not in the runtime's op set"},
    {"test_matmul_4d", "batched (4-D) MatMul is not in the runtime's op set"},
    {"test_pow_types_int32_float32", "integer run-time arithmetic: the runtime computes float32 only"},
    {"test_pow_types_int64_float32", "integer run-time arithmetic: the runtime computes float32 only"},
    {"test_reshape_allowzero_reordered", "empty tensors (a 0 dimension) are not supported"},
    {"test_slice_start_out_of_bounds", "empty tensors (a 0 dimension) are not supported"},
    {"test_split_zero_size_splits", "empty tensors (a 0 dimension) are not supported"},
    {"test_constantofshape_int_shape_zero", "empty tensors (a 0 dimension) are not supported"},
};

// Input positions that the runtime takes as constants, by op type ("*": all of them).
const std::map<std::string, std::set<int>> kConstantInputs = {
    {"Conv", {1, 2}}, {"Pad", {1, 2, 3}}, {"Resize", {1, 2, 3}}, {"Upsample", {1}},
    {"Reshape", {1}}, {"Unsqueeze", {1}}, {"Squeeze", {1}}, {"ReduceMean", {1}},
    {"InstanceNormalization", {1, 2}}, {"BatchNormalization", {1, 2, 3, 4}},
};
const std::set<std::string> kFoldOnlyOps = {
    "Slice", "Split", "Gather", "Shape", "Size", "Cast", "ConstantOfShape", "Expand", "Range", "Where",
    "Equal", "Less", "Greater", "Constant", "Floor", "Ceil"};
// Ops whose integer data inputs run as float32 (see the header comment).
const std::set<std::string> kIntegerAsFloatOps = {"Pad", "Max", "Min"};

bool integer_runs_as_float(const swaprun::onnx::Model& m) {
    for (const auto& n : m.graph.nodes) {
        if (!kIntegerAsFloatOps.count(n.op_type)) return false;
    }
    return true;
}

struct NodeTest {
    std::string name;
    fs::path dir;
};

// gtest prints a parameter's bytes unless told otherwise.
void PrintTo(const NodeTest& test, std::ostream* out) { *out << test.name; }

std::vector<NodeTest> discover() {
    std::vector<NodeTest> tests;
    if (!fs::exists(kDataDir)) return tests;
    for (const auto& entry : fs::directory_iterator(kDataDir)) {
        const fs::path model = entry.path() / "model.onnx";
        if (!fs::exists(model) || !fs::exists(entry.path() / "test_data_set_0")) continue;
        swaprun::onnx::Model m;
        try {
            m = swaprun::onnx::decode_model(swaprun::onnx::read_file_bytes(model.string()), model.string());
        } catch (const swaprun::Error&) {
            continue;
        }
        bool claimed = !m.graph.nodes.empty();
        for (const auto& n : m.graph.nodes) claimed &= kClaimedOps.count(n.op_type) > 0 && n.domain.empty();
        if (claimed) tests.push_back({entry.path().filename().string(), entry.path()});
    }
    std::sort(tests.begin(), tests.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return tests;
}

std::vector<std::string> sorted_files(const fs::path& dir, const std::string& prefix) {
    std::vector<std::string> files;
    for (int i = 0;; ++i) {
        fs::path p = dir / (prefix + std::to_string(i) + ".pb");
        if (!fs::exists(p)) break;
        files.push_back(p.string());
    }
    return files;
}

// True when graph input `name` must be bound: it is integer-typed, or a consumer takes
// it as a constant operand.
bool must_bind(const swaprun::onnx::Model& m, const std::string& name, int32_t element_type) {
    if (!swaprun::onnx::is_floating(element_type) && !integer_runs_as_float(m)) return true;
    for (const auto& n : m.graph.nodes) {
        for (size_t k = 0; k < n.inputs.size(); ++k) {
            if (n.inputs[k] != name) continue;
            if (kFoldOnlyOps.count(n.op_type)) return true;
            auto it = kConstantInputs.find(n.op_type);
            if (it != kConstantInputs.end() && it->second.count(static_cast<int>(k))) return true;
        }
    }
    return false;
}

void expect_close(const std::string& what, const std::vector<float>& got, const std::vector<float>& want) {
    ASSERT_EQ(got.size(), want.size()) << what;
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const float tolerance = 1e-5f + 1e-3f * std::fabs(want[i]);
        const bool both_nan = std::isnan(got[i]) && std::isnan(want[i]);
        if (!both_nan && !(std::fabs(got[i] - want[i]) <= tolerance)) {
            if (++bad <= 5) ADD_FAILURE() << what << "[" << i << "]: got " << got[i] << ", expected " << want[i];
        }
    }
    EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << got.size() << " values differ";
}

class OnnxNodeTest : public ::testing::TestWithParam<NodeTest> {};

TEST_P(OnnxNodeTest, MatchesExpectedOutputs) {
    const NodeTest& t = GetParam();
    if (auto it = kNotRun.find(t.name); it != kNotRun.end()) GTEST_SKIP() << it->second;
    const std::string model_path = (t.dir / "model.onnx").string();
    const auto model = swaprun::onnx::decode_model(swaprun::onnx::read_file_bytes(model_path), model_path);
    const fs::path data = t.dir / "test_data_set_0";
    const auto input_files = sorted_files(data, "input_");
    const auto output_files = sorted_files(data, "output_");

    // Graph inputs in order, excluding initializers (IR < 4 lists those too).
    std::set<std::string> initializers;
    for (const auto& i : model.graph.initializers) initializers.insert(i.name);
    std::vector<const swaprun::onnx::ValueInfo*> inputs;
    for (const auto& in : model.graph.inputs) {
        if (!initializers.count(in.name)) inputs.push_back(&in);
    }
    ASSERT_EQ(inputs.size(), input_files.size());

    swaprun::convert::ConvertOptions options;
    std::vector<std::pair<std::string, swaprun::onnx::Tensor>> runtime_inputs;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (must_bind(model, inputs[i]->name, inputs[i]->element_type)) {
            options.bindings.emplace_back(inputs[i]->name, input_files[i]);
        } else {
            runtime_inputs.emplace_back(inputs[i]->name, swaprun::onnx::read_tensor_file(input_files[i]));
        }
    }

    // The converter's stages, run one by one so that a fully folded graph can be
    // checked before lowering (which accepts float tensors only).
    using namespace swaprun::convert;
    std::vector<Binding> bindings;
    for (const auto& [name, file] : options.bindings) {
        bindings.push_back({name, swaprun::onnx::read_tensor_file(file)});
    }
    swaprun::onnx::Model runnable = model;
    if (integer_runs_as_float(model)) {
        for (auto& in : runnable.graph.inputs) {
            if (swaprun::onnx::is_integer(in.element_type)) in.element_type = 1;
        }
    }
    Graph graph;
    swaprun::format::ModelDescription description;
    try {
        graph = import_model(runnable, model_path, bindings);
        infer_and_fold(graph);
        bool folded = true;
        for (const auto& out : graph.outputs) folded &= graph.value(out).is_constant;
        if (folded) {
            for (size_t o = 0; o < output_files.size(); ++o) {
                const auto want = swaprun::onnx::read_tensor_file(output_files[o]);
                const auto& got = graph.value(graph.outputs[o]);
                EXPECT_EQ(got.shape, want.dims) << graph.outputs[o];
                if (!want.ints.empty() || want.floats.empty()) {
                    EXPECT_EQ(got.ints, want.ints) << graph.outputs[o];
                } else {
                    expect_close(graph.outputs[o], got.floats, want.floats);
                }
            }
            return;
        }
        fuse(graph);
        description = lower(graph);
    } catch (const swaprun::Error& e) {
        FAIL() << "conversion failed: " << e.what();
    }

    const std::string swpk = (fs::temp_directory_path() / (t.name + ".swpk")).string();
    swaprun::format::write_swpk(description, swpk);
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open(swpk.c_str(), nullptr, &m), SWR_OK) << swr_last_error();
    swr_context* ctx = nullptr;
    ASSERT_EQ(swr_context_create(m, nullptr, &ctx), SWR_OK) << swr_last_error();
    for (auto& [name, tensor] : runtime_inputs) {
        if (tensor.floats.empty()) tensor.floats.assign(tensor.ints.begin(), tensor.ints.end());
        ASSERT_EQ(swr_context_set_input(ctx, name.c_str(), tensor.floats.data(), tensor.floats.size()), SWR_OK)
            << swr_last_error();
    }
    ASSERT_EQ(swr_context_run(ctx), SWR_OK) << swr_last_error();
    for (size_t o = 0; o < output_files.size(); ++o) {
        const auto want = swaprun::onnx::read_tensor_file(output_files[o]);
        const float* out = nullptr;
        size_t count = 0;
        ASSERT_EQ(swr_context_get_output(ctx, graph.outputs[o].c_str(), &out, &count), SWR_OK) << swr_last_error();
        std::vector<float> want_floats = want.floats;
        ASSERT_EQ(count, static_cast<size_t>(want.element_count())) << graph.outputs[o];
        if (want_floats.empty()) want_floats.assign(want.ints.begin(), want.ints.end());
        expect_close(graph.outputs[o], std::vector<float>(out, out + count), want_floats);
    }
    swr_context_release(ctx);
    swr_model_release(m);
    fs::remove(swpk);
}

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxNodeTest, ::testing::ValuesIn(discover()),
                         [](const auto& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxNodeTest);

TEST(OnnxNodeSuite, DataIsInstalled) {
    ASSERT_TRUE(fs::exists(kDataDir)) << kDataDir << " is missing: install Debian's libonnx-testdata";
    EXPECT_GT(discover().size(), 150u);
}

}  // namespace
