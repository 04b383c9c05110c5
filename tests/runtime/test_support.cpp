#include "test_support.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

namespace swaprun::testkit {

using format::TensorRole;

std::vector<float> random_values(size_t count, uint32_t seed, float low, float high) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(low, high);
    std::vector<float> v(count);
    for (float& x : v) x = dist(rng);
    return v;
}

format::Attribute ints(std::vector<int64_t> values) { return {std::move(values), {}}; }
format::Attribute floats(std::vector<float> values) { return {{}, std::move(values)}; }

uint32_t ModelBuilder::add(const std::string& name, TensorRole role, std::vector<int64_t> shape) {
    format::TensorDescription t;
    t.name = name;
    t.role = role;
    t.shape = std::move(shape);
    desc_.tensors.push_back(std::move(t));
    return static_cast<uint32_t>(desc_.tensors.size() - 1);
}

uint32_t ModelBuilder::input(const std::string& name, std::vector<int64_t> shape) {
    const uint32_t i = add(name, TensorRole::Input, std::move(shape));
    desc_.inputs.push_back(i);
    return i;
}

uint32_t ModelBuilder::activation(const std::string& name, std::vector<int64_t> shape) {
    return add(name, TensorRole::Activation, std::move(shape));
}

uint32_t ModelBuilder::constant(const std::string& name, std::vector<int64_t> shape,
                                std::vector<float> values) {
    const uint32_t i = add(name, TensorRole::Constant, std::move(shape));
    storage_.push_back(std::move(values));
    desc_.tensors[i].data = storage_.back();
    return i;
}

uint32_t ModelBuilder::random_constant(const std::string& name, std::vector<int64_t> shape,
                                       uint32_t seed) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return constant(name, std::move(shape), random_values(static_cast<size_t>(n), seed));
}

uint32_t ModelBuilder::extra(const std::string& name, std::vector<int64_t> shape,
                             std::vector<float> values) {
    const uint32_t i = constant(name, std::move(shape), std::move(values));
    desc_.tensors[i].role = TensorRole::Extra;
    return i;
}

format::OpDescription& ModelBuilder::op(OpType type, const std::string& name,
                                        std::vector<uint32_t> inputs, uint32_t output) {
    format::OpDescription op;
    op.type = type;
    op.name = name;
    op.inputs = std::move(inputs);
    op.outputs = {output};
    desc_.ops.push_back(std::move(op));
    return desc_.ops.back();
}

ModelBuilder small_generator() {
    ModelBuilder b;
    const uint32_t target = b.input("target", {1, 3, 8, 8});
    const uint32_t source = b.input("source", {1, 6});

    const uint32_t padded = b.activation("padded", {1, 3, 10, 10});
    auto& pad = b.op(OpType::Pad, "pad", {target}, padded);
    pad.attributes["pads"] = ints({0, 0, 1, 1, 0, 0, 1, 1});
    pad.attributes["mode"] = ints({1});

    const uint32_t w1 = b.random_constant("conv1.weight", {4, 3, 3, 3}, 1);
    const uint32_t b1 = b.random_constant("conv1.bias", {4}, 2);
    const uint32_t c1 = b.activation("conv1", {1, 4, 8, 8});
    auto& conv1 = b.op(OpType::Conv2d, "conv1", {padded, w1, b1}, c1);
    conv1.attributes["activation"] = ints({2});
    conv1.attributes["alpha"] = floats({0.2f});

    const uint32_t gw = b.random_constant("style.weight", {6, 8}, 3);
    const uint32_t gb = b.random_constant("style.bias", {8}, 4);
    const uint32_t style = b.activation("style", {1, 8});
    b.op(OpType::Gemm, "style", {source, gw, gb}, style);

    const uint32_t norm = b.activation("adain", {1, 4, 8, 8});
    auto& adain = b.op(OpType::Adain, "adain", {c1, style, style, kNoTensor}, norm);
    adain.attributes["epsilon"] = floats({1e-5f});
    adain.attributes["shift_offset"] = ints({4});
    adain.attributes["scale_batch_stride"] = ints({8});
    adain.attributes["shift_batch_stride"] = ints({8});
    adain.attributes["activation"] = ints({1});

    const uint32_t up = b.activation("up", {1, 4, 16, 16});
    auto& resize = b.op(OpType::Resize, "up", {norm}, up);
    resize.attributes["mode"] = ints({1});
    resize.attributes["scales"] = floats({2.0f, 2.0f});

    const uint32_t w2 = b.random_constant("conv2.weight", {3, 4, 1, 1}, 5);
    const uint32_t c2 = b.activation("conv2", {1, 3, 16, 16});
    b.op(OpType::Conv2d, "conv2", {up, w2, kNoTensor}, c2);

    const uint32_t out = b.activation("output", {1, 3, 16, 16});
    b.op(OpType::Unary, "to_unit", {c2}, out).attributes["op"] = ints({4});
    b.output(out);

    b.extra("emap", {6, 6}, random_values(36, 6));
    b.metadata("model.name", "small_generator");
    b.metadata("input.target.range", "0,1");
    return b;
}

ModelBuilder wide_conv() {
    constexpr int64_t kIn = 700, kOut = 5, kSize = 24;
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, kIn, kSize, kSize});
    const uint32_t w = b.constant("conv.weight", {kOut, kIn, 3, 3},
                                  random_values(kOut * kIn * 9, 3, -0.05f, 0.05f));
    const uint32_t y = b.activation("y", {1, kOut, kSize, kSize});
    b.op(OpType::Conv2d, "conv", {x, w}, y).attributes["pads"] = ints({1, 1, 1, 1});
    b.output(y);
    return b;
}

TempDir::TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "swaprun_runtime_test.XXXXXX").string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
        names.push_back(e.path().filename().string());
    }
    return names;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

AlignedBytes::AlignedBytes(const std::vector<uint8_t>& bytes)
    : storage_(bytes.size() + 64), size_(bytes.size()) {
    const auto base = reinterpret_cast<uintptr_t>(storage_.data());
    offset_ = static_cast<size_t>((64 - base % 64) % 64);
    std::copy(bytes.begin(), bytes.end(), storage_.begin() + static_cast<std::ptrdiff_t>(offset_));
}

}  // namespace swaprun::testkit
