#include "graph/graph_validation.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "test_support.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace {

using namespace swaprun;
using testkit::floats;
using testkit::ints;
using testkit::ModelBuilder;

// The message of the Error validation throws ("" when the graph is valid).
std::string validation_error(const format::ModelDescription& desc) {
    try {
        graph::validate_graph(desc, "m.swpk");
        return "";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format);
        return e.what();
    }
}

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

// The small generator with one change applied to its description.
std::string generator_error(const std::function<void(format::ModelDescription&)>& change) {
    ModelBuilder b = testkit::small_generator();
    change(b.desc());
    return validation_error(b.desc());
}

format::OpDescription& op_named(format::ModelDescription& d, const std::string& name) {
    for (auto& op : d.ops) {
        if (op.name == name) return op;
    }
    throw std::runtime_error("no op " + name);
}

// One Conv2d on x [1,4,8,8] with weight [6, 4/groups, 3, 3]; attributes as given.
struct ConvCase {
    int64_t groups = 1;
    std::vector<int64_t> out = {1, 6, 6, 6};
    std::vector<int64_t> weight = {6, 4, 3, 3};
    std::map<std::string, format::Attribute> attributes;
    std::vector<int64_t> bias = {6};
};

std::string conv_error(const ConvCase& c) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 4, 8, 8});
    const uint32_t w = b.random_constant("w", c.weight, 1);
    const uint32_t bias = b.random_constant("b", c.bias, 2);
    const uint32_t y = b.activation("y", c.out);
    auto& op = b.op(OpType::Conv2d, "conv", {x, w, bias}, y);
    op.attributes = c.attributes;
    op.attributes["groups"] = ints({c.groups});
    b.output(y);
    return validation_error(b.desc());
}

TEST(GraphValidation, ValidGraphPasses) {
    ModelBuilder b = testkit::small_generator();
    const auto graph = graph::validate_graph(b.desc(), "m.swpk");
    EXPECT_EQ(graph.ops.size(), b.desc().ops.size());
}

TEST(GraphValidation, ConvShapesAndAttributes) {
    EXPECT_EQ(conv_error({}), "");
    ConvCase wrong_out;
    wrong_out.out = {1, 6, 8, 8};
    const std::string e = conv_error(wrong_out);
    EXPECT_CONTAINS(e, "m.swpk: op 0 'conv' (Conv2d)");
    EXPECT_CONTAINS(
        e, "stored with shape [1, 6, 8, 8] but the inputs and attributes give [1, 6, 6, 6]");

    ConvCase padded;
    padded.out = {1, 6, 8, 8};
    padded.attributes["pads"] = ints({1, 1, 1, 1});
    EXPECT_EQ(conv_error(padded), "");

    ConvCase strided;
    strided.out = {1, 6, 3, 3};
    strided.attributes["strides"] = ints({2, 2});
    EXPECT_EQ(conv_error(strided), "");
    strided.attributes["strides"] = ints({0, 2});
    EXPECT_CONTAINS(conv_error(strided), "attribute 'strides' has value 0");
    strided.attributes["strides"] = ints({2});
    EXPECT_CONTAINS(conv_error(strided), "attribute 'strides' must be 2 integers");

    ConvCase grouped;
    grouped.groups = 2;
    grouped.weight = {6, 2, 3, 3};
    EXPECT_EQ(conv_error(grouped), "");
    grouped.groups = 3;
    EXPECT_CONTAINS(conv_error(grouped), "groups 3 does not divide");
    grouped.groups = 2;
    grouped.weight = {6, 4, 3, 3};
    EXPECT_CONTAINS(conv_error(grouped), "weight shape [6, 4, 3, 3] does not match");

    ConvCase bias;
    bias.bias = {5};
    EXPECT_CONTAINS(conv_error(bias), "bias 'b' has shape [5], expected [6]");

    ConvCase modes;
    modes.attributes["pad_mode"] = ints({3});
    EXPECT_CONTAINS(conv_error(modes), "attribute 'pad_mode' is 3, not one of 0..2");
    modes.attributes["pad_mode"] = ints({0});
    modes.attributes["activation"] = ints({6});
    EXPECT_CONTAINS(conv_error(modes), "attribute 'activation' is 6");
    modes.attributes["activation"] = ints({2});
    modes.attributes["alpha"] = ints({1});
    EXPECT_CONTAINS(conv_error(modes), "attribute 'alpha' must be 1 float");

    ConvCase reflect;
    reflect.out = {1, 6, 22, 6};
    reflect.attributes["pad_mode"] = ints({1});
    reflect.attributes["pads"] = ints({8, 0, 8, 0});
    EXPECT_CONTAINS(conv_error(reflect), "reflect padding");
    reflect.out = {1, 6, 22, 6};
    reflect.attributes["pad_mode"] = ints({2});  // edge padding may exceed the input
    EXPECT_EQ(conv_error(reflect), "");

    ConvCase unknown;
    unknown.attributes["auto_pad"] = ints({1});
    EXPECT_CONTAINS(conv_error(unknown), "unknown attribute 'auto_pad'");

    ConvCase too_small;
    too_small.weight = {6, 4, 9, 9};
    EXPECT_CONTAINS(conv_error(too_small), "smaller than the kernel");
}

TEST(GraphValidation, AdainSourcesAndResidual) {
    EXPECT_CONTAINS(generator_error([](auto& d) {
                        op_named(d, "adain").attributes["shift_offset"] = ints({5});
                    }),
                    "the shift values (offset 5");
    EXPECT_CONTAINS(generator_error([](auto& d) {
                        op_named(d, "adain").attributes["scale_offset"] = ints({-1});
                    }),
                    "op 3 'adain' (Adain)");
    EXPECT_CONTAINS(generator_error([](auto& d) {
                        op_named(d, "adain").attributes["epsilon"] = floats({-1.0f});
                    }),
                    "epsilon");
    // The residual must have the input's shape, [1,4,8,8].
    EXPECT_CONTAINS(generator_error([](auto& d) {
                        op_named(d, "adain").inputs[3] = 2;  // "padded" [1,3,10,10]
                    }),
                    "residual 'padded'");
}

TEST(GraphValidation, GemmShapes) {
    EXPECT_CONTAINS(
        generator_error([](auto& d) { op_named(d, "style").attributes["trans_b"] = ints({1}); }),
        "inner dimensions differ");
    EXPECT_CONTAINS(
        generator_error([](auto& d) { op_named(d, "style").attributes["trans_a"] = ints({2}); }),
        "must be 0 or 1");
    // Bias [8] replaced by the [4] conv bias: does not broadcast to [1, 8].
    EXPECT_CONTAINS(generator_error([](auto& d) { op_named(d, "style").inputs[2] = 4; }),
                    "does not broadcast to [1, 8]");
}

TEST(GraphValidation, ResizeScalesMustMatchSizes) {
    EXPECT_CONTAINS(generator_error([](auto& d) {
                        op_named(d, "up").attributes["scales"] = floats({3.0f, 2.0f});
                    }),
                    "scale 3 does not take 8 to the stored 16");
    EXPECT_CONTAINS(
        generator_error([](auto& d) { op_named(d, "up").attributes["mode"] = ints({3}); }),
        "attribute 'mode' is 3");
    // Without scales, out / in is used.
    EXPECT_EQ(generator_error([](auto& d) { op_named(d, "up").attributes.erase("scales"); }), "");
}

ModelBuilder one_op(OpType type, std::vector<std::vector<int64_t>> in_shapes,
                    std::vector<int64_t> out_shape,
                    std::map<std::string, format::Attribute> attrs) {
    ModelBuilder b;
    std::vector<uint32_t> inputs;
    for (size_t i = 0; i < in_shapes.size(); ++i) {
        inputs.push_back(b.input(str_cat("x", i), in_shapes[i]));
    }
    const uint32_t y = b.activation("y", std::move(out_shape));
    b.op(type, "op", inputs, y).attributes = std::move(attrs);
    b.output(y);
    return b;
}

std::string one_op_error(OpType type, std::vector<std::vector<int64_t>> in_shapes,
                         std::vector<int64_t> out_shape,
                         std::map<std::string, format::Attribute> attrs) {
    ModelBuilder b = one_op(type, std::move(in_shapes), std::move(out_shape), std::move(attrs));
    return validation_error(b.desc());
}

TEST(GraphValidation, BinaryBroadcasting) {
    const auto add = std::map<std::string, format::Attribute>{{"op", ints({0})}};
    EXPECT_EQ(one_op_error(OpType::Binary, {{2, 3, 4}, {3, 1}}, {2, 3, 4}, add), "");
    EXPECT_EQ(one_op_error(OpType::Binary, {{}, {5}}, {5}, add), "");
    EXPECT_CONTAINS(one_op_error(OpType::Binary, {{2, 3}, {4}}, {2, 3}, add), "do not broadcast");
    EXPECT_CONTAINS(one_op_error(OpType::Binary, {{2, 3}, {3}}, {2, 4}, add), "stored with shape");
    EXPECT_CONTAINS(one_op_error(OpType::Binary, {{2}, {2}}, {2}, {}), "attribute 'op' is missing");
    EXPECT_CONTAINS(one_op_error(OpType::Binary, {{2}, {2}}, {2}, {{"op", ints({8})}}),
                    "attribute 'op' is 8");
}

TEST(GraphValidation, ReduceMeanAxesAndForms) {
    const auto axes = std::map<std::string, format::Attribute>{{"axes", ints({2, 3})}};
    EXPECT_EQ(one_op_error(OpType::ReduceMean, {{1, 4, 8, 8}}, {1, 4, 1, 1}, axes), "");
    EXPECT_EQ(one_op_error(OpType::ReduceMean, {{1, 4, 8, 8}}, {1, 4}, axes), "");
    EXPECT_CONTAINS(one_op_error(OpType::ReduceMean, {{1, 4, 8, 8}}, {1, 4, 1}, axes),
                    "gives [1, 4, 1, 1] or [1, 4]");
    EXPECT_CONTAINS(
        one_op_error(OpType::ReduceMean, {{1, 4, 8, 8}}, {1, 4, 1, 1}, {{"axes", ints({3, 2})}}),
        "ascending");
    EXPECT_CONTAINS(one_op_error(OpType::ReduceMean, {{1, 4}}, {1}, {{"axes", ints({-1})}}),
                    "ascending and within rank");
}

TEST(GraphValidation, PadRules) {
    auto pad = [](std::vector<int64_t> pads, int64_t mode) {
        return std::map<std::string, format::Attribute>{{"pads", ints(std::move(pads))},
                                                        {"mode", ints({mode})}};
    };
    EXPECT_EQ(
        one_op_error(OpType::Pad, {{1, 3, 4, 4}}, {1, 3, 6, 6}, pad({0, 0, 1, 1, 0, 0, 1, 1}, 1)),
        "");
    EXPECT_EQ(
        one_op_error(OpType::Pad, {{1, 3, 4, 4}}, {1, 3, 3, 5}, pad({0, 0, -1, 0, 0, 0, 0, 1}, 0)),
        "");
    EXPECT_CONTAINS(
        one_op_error(OpType::Pad, {{1, 3, 4, 4}}, {1, 3, 12, 4}, pad({0, 0, 4, 0, 0, 0, 4, 0}, 1)),
        "reflect pads");
    EXPECT_CONTAINS(one_op_error(OpType::Pad, {{1, 3, 4, 4}}, {1, 3, 6, 6}, pad({1, 1, 1, 1}, 0)),
                    "has 4 values, expected 8");
    EXPECT_CONTAINS(one_op_error(OpType::Pad, {{4}}, {1}, pad({-2, -2}, 0)), "crop away all");
    // The most negative int64 has no absolute value: refused as out of range, not UB.
    const int64_t most_negative = std::numeric_limits<int64_t>::min();
    EXPECT_CONTAINS(one_op_error(OpType::Pad, {{4}}, {4}, pad({most_negative, 0}, 0)), "exceed");
}

TEST(GraphValidation, ReshapeConcatTranspose) {
    EXPECT_EQ(one_op_error(OpType::Reshape, {{2, 6}}, {3, 4}, {}), "");
    EXPECT_CONTAINS(one_op_error(OpType::Reshape, {{2, 6}}, {3, 5}, {}), "differ in element count");
    EXPECT_EQ(
        one_op_error(OpType::Concat, {{1, 2, 3}, {1, 4, 3}}, {1, 6, 3}, {{"axis", ints({1})}}), "");
    EXPECT_CONTAINS(
        one_op_error(OpType::Concat, {{1, 2, 3}, {1, 4, 2}}, {1, 6, 3}, {{"axis", ints({1})}}),
        "input 1 has shape [1, 4, 2], incompatible");
    EXPECT_CONTAINS(one_op_error(OpType::Concat, {{1, 2}}, {1, 2}, {{"axis", ints({2})}}),
                    "axis 2 is outside rank 2");
    EXPECT_EQ(one_op_error(OpType::Transpose, {{2, 3, 4}}, {4, 2, 3}, {{"perm", ints({2, 0, 1})}}),
              "");
    EXPECT_CONTAINS(
        one_op_error(OpType::Transpose, {{2, 3, 4}}, {4, 2, 3}, {{"perm", ints({2, 0, 0})}}),
        "not a permutation");
    EXPECT_CONTAINS(
        one_op_error(OpType::Transpose, {{2, 3, 4}}, {2, 3, 4}, {{"perm", ints({2, 0, 1})}}),
        "stored with shape");
}

TEST(GraphValidation, Pool2d) {
    auto pool = [](int64_t kind, int64_t k, int64_t s, int64_t pad, int64_t ceil_mode) {
        return std::map<std::string, format::Attribute>{
            {"kind", ints({kind})},           {"kernel", ints({k, k})},
            {"strides", ints({s, s})},        {"pads", ints({pad, pad, pad, pad})},
            {"ceil_mode", ints({ceil_mode})}, {"count_include_pad", ints({0})}};
    };
    EXPECT_EQ(one_op_error(OpType::Pool2d, {{1, 3, 8, 8}}, {1, 3, 4, 4}, pool(0, 2, 2, 0, 0)), "");
    // ceil_mode: 9 -> 5 windows of 2 at stride 2 (the last one holds one column).
    EXPECT_EQ(one_op_error(OpType::Pool2d, {{1, 3, 9, 9}}, {1, 3, 5, 5}, pool(1, 2, 2, 0, 1)), "");
    EXPECT_CONTAINS(one_op_error(OpType::Pool2d, {{1, 3, 9, 9}}, {1, 3, 4, 4}, pool(1, 2, 2, 0, 1)),
                    "stored with shape");
    EXPECT_CONTAINS(one_op_error(OpType::Pool2d, {{1, 3, 8, 8}}, {1, 3, 5, 5}, pool(0, 2, 2, 2, 0)),
                    "must be smaller than the kernel");
    EXPECT_CONTAINS(one_op_error(OpType::Pool2d, {{1, 3, 8, 8}}, {1, 3, 4, 4}, pool(2, 2, 2, 0, 0)),
                    "attribute 'kind' is 2");
}

TEST(GraphValidation, OrderAndWriters) {
    // Swap conv1 and pad: conv1 reads "padded" before it is written.
    EXPECT_CONTAINS(generator_error([](auto& d) { std::swap(d.ops[0], d.ops[1]); }),
                    "op 0 'conv1' (Conv2d): reads 'padded' (tensor 2) before op 1 writes it");
    // Two ops write "conv1".
    EXPECT_CONTAINS(generator_error([](auto& d) { op_named(d, "conv2").outputs[0] = 5; }),
                    "which op 1 already writes");
    // An op writing a constant.
    EXPECT_CONTAINS(generator_error([](auto& d) { op_named(d, "pad").outputs[0] = 3; }),
                    "a constant tensor");
    // Reading a tensor no op writes (an activation whose writer is removed).
    EXPECT_CONTAINS(generator_error([](auto& d) { d.ops.erase(d.ops.begin()); }),
                    "reads 'padded' (tensor 2), which no op writes");
    // A graph output no op writes.
    EXPECT_CONTAINS(generator_error([](auto& d) { d.ops.pop_back(); }),
                    "graph output 'output' is not written by any op");
    // Reading the extra tensor.
    EXPECT_CONTAINS(generator_error([](auto& d) {
                        op_named(d, "style").inputs[0] =
                            static_cast<uint32_t>(d.tensors.size() - 1);
                    }),
                    "an extra tensor outside the graph");
}

TEST(GraphValidation, InputsAndArity) {
    EXPECT_CONTAINS(generator_error([](auto& d) { op_named(d, "conv1").inputs[0] = kNoTensor; }),
                    "required input 0 is missing");
    EXPECT_CONTAINS(generator_error([](auto& d) { op_named(d, "conv1").inputs.push_back(5); }),
                    "has 4 inputs, expected 2 to 3");
    EXPECT_CONTAINS(generator_error([](auto& d) { op_named(d, "conv1").outputs.push_back(5); }),
                    "has 2 outputs, expected 1");
    EXPECT_CONTAINS(generator_error([](auto& d) { d.inputs.pop_back(); }),
                    "has the Input role but is not a graph input");
    EXPECT_CONTAINS(generator_error([](auto& d) { d.inputs.push_back(d.inputs[0]); }),
                    "listed twice as a graph input");
    EXPECT_CONTAINS(generator_error([](auto& d) { d.outputs.clear(); }),
                    "the graph has no outputs");
    EXPECT_CONTAINS(generator_error([](auto& d) { d.tensors[1].name = "target"; }),
                    "the name 'target' is used by two");
    EXPECT_CONTAINS(generator_error([](auto& d) { d.outputs.push_back(0); }),
                    "an input tensor; outputs are activations or constants");
}

}  // namespace
