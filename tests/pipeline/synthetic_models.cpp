#include "synthetic_models.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "format/swpk_io.h"
#include "kernels/kernel_types.h"

namespace swaprun::pipeline::testing {

namespace {

using testkit::floats;
using testkit::ints;
using testkit::ModelBuilder;

std::shared_ptr<const engine::LoadedModel> save_and_open(ModelBuilder& b, const std::string& path) {
    format::write_swpk(b.desc(), path);
    return engine::LoadedModel::open(path);
}

}  // namespace

std::shared_ptr<const engine::LoadedModel> per_pixel_swapper(const std::string& path, int size) {
    ModelBuilder b;
    const uint32_t target = b.input("target", {1, 3, size, size});
    const uint32_t source = b.input("source", {1, 512});

    const uint32_t gw = b.random_constant("style.weight", {512, 3}, 11);
    const uint32_t style = b.activation("style", {1, 3});
    b.op(OpType::Gemm, "style", {source, gw, kNoTensor}, style);
    const uint32_t shift = b.activation("shift", {1, 3, 1, 1});
    b.op(OpType::Reshape, "shift", {style}, shift);

    // Mostly identity, so that the output still looks like the input.
    std::vector<float> w = testkit::random_values(9, 12, -0.5f, 0.5f);
    for (int c = 0; c < 3; ++c) w[static_cast<size_t>(c * 4)] += 4.0f;
    const uint32_t cw = b.constant("mix.weight", {3, 3, 1, 1}, w);
    const uint32_t cb = b.constant("mix.bias", {3}, {-2.0f, -2.0f, -2.0f});
    const uint32_t mixed = b.activation("mix", {1, 3, size, size});
    b.op(OpType::Conv2d, "mix", {target, cw, cb}, mixed);

    const uint32_t sum = b.activation("sum", {1, 3, size, size});
    b.op(OpType::Binary, "add", {mixed, shift}, sum).attributes["op"] =
        ints({static_cast<int64_t>(kernels::BinaryOp::Add)});
    const uint32_t out = b.activation("output", {1, 3, size, size});
    b.op(OpType::Unary, "sigmoid", {sum}, out).attributes["op"] =
        ints({static_cast<int64_t>(kernels::UnaryOp::Sigmoid)});
    b.output(out);

    b.extra("buff2fs", {512, 512}, testkit::random_values(512 * 512, 13));
    b.metadata("model.kind", "face-swap-generator");
    b.metadata("input.target.range", "0,1");
    b.metadata("output.output.range", "0,1");
    b.metadata("crop.size", std::to_string(size));
    b.metadata("latent.emap", "buff2fs");
    return save_and_open(b, path);
}

std::shared_ptr<const engine::LoadedModel> small_recognizer(const std::string& path) {
    ModelBuilder b;
    const uint32_t input = b.input("input.1", {1, 3, 112, 112});
    const uint32_t w = b.random_constant("patch.weight", {8, 3, 8, 8}, 21);
    const uint32_t patches = b.activation("patches", {1, 8, 14, 14});
    auto& conv = b.op(OpType::Conv2d, "patch", {input, w, kNoTensor}, patches);
    conv.attributes["strides"] = ints({8, 8});
    const uint32_t flat = b.activation("flat", {1, 8 * 14 * 14});
    b.op(OpType::Reshape, "flatten", {patches}, flat);
    const uint32_t fw = b.random_constant("fc.weight", {8 * 14 * 14, 512}, 22);
    const uint32_t out = b.activation("embedding", {1, 512});
    b.op(OpType::Gemm, "fc", {flat, fw, kNoTensor}, out);
    b.output(out);
    return save_and_open(b, path);
}

std::shared_ptr<const engine::LoadedModel> planted_detector(const std::string& path,
                                                            const std::vector<PlantedFace>& faces) {
    constexpr int kInput = 640;
    constexpr int kAnchors = 2;
    ModelBuilder b;
    const uint32_t input = b.input("input.1", {1, 3, kInput, kInput});
    // zero = 0 * mean(input): the outputs are constants, but computed from the input so
    // that the graph is a plain function of it.
    const uint32_t mean = b.activation("mean", {1, 3});
    b.op(OpType::ReduceMean, "mean", {input}, mean).attributes["axes"] = ints({2, 3});
    const uint32_t mean1 = b.activation("mean1", {1, 1});
    b.op(OpType::ReduceMean, "mean1", {mean}, mean1).attributes["axes"] = ints({1});
    const uint32_t zero_c = b.constant("zero", {1, 1}, {0.0f});
    const uint32_t zero = b.activation("zero_out", {1, 1});
    b.op(OpType::Binary, "times_zero", {mean1, zero_c}, zero).attributes["op"] =
        ints({static_cast<int64_t>(kernels::BinaryOp::Mul)});

    const int strides[3] = {8, 16, 32};
    const int per_anchor[3] = {1, 4, 10};
    const char* kinds[3] = {"score", "bbox", "kps"};
    std::vector<uint32_t> outputs;
    for (int kind = 0; kind < 3; ++kind) {
        for (int level = 0; level < 3; ++level) {
            const int stride = strides[level];
            const int side = kInput / stride;
            const int64_t anchors = int64_t{side} * side * kAnchors;
            std::vector<float> values(static_cast<size_t>(anchors * per_anchor[kind]),
                                      kind == 0 ? 0.01f : 1.0f);
            if (stride == 32) {
                for (const PlantedFace& f : faces) {
                    const int col = std::clamp(static_cast<int>(std::lround(f.landmarks[2].x / 32)),
                                               0, side - 1);
                    const int row = std::clamp(static_cast<int>(std::lround(f.landmarks[2].y / 32)),
                                               0, side - 1);
                    const size_t anchor = static_cast<size_t>((row * side + col) * kAnchors);
                    const float cx = static_cast<float>(col * 32);
                    const float cy = static_cast<float>(row * 32);
                    float x1 = 1e9f, y1 = 1e9f, x2 = -1e9f, y2 = -1e9f;
                    for (const Point2& p : f.landmarks) {
                        x1 = std::min(x1, static_cast<float>(p.x));
                        y1 = std::min(y1, static_cast<float>(p.y));
                        x2 = std::max(x2, static_cast<float>(p.x));
                        y2 = std::max(y2, static_cast<float>(p.y));
                    }
                    const float w = x2 - x1, h = y2 - y1;
                    x1 -= w / 2;
                    x2 += w / 2;
                    y1 -= h / 2;
                    y2 += h / 2;
                    float* v = values.data() + anchor * static_cast<size_t>(per_anchor[kind]);
                    if (kind == 0) {
                        v[0] = f.score;
                    } else if (kind == 1) {  // distances left, top, right, bottom / stride
                        v[0] = (cx - x1) / 32;
                        v[1] = (cy - y1) / 32;
                        v[2] = (x2 - cx) / 32;
                        v[3] = (y2 - cy) / 32;
                    } else {
                        for (size_t i = 0; i < 5; ++i) {
                            v[2 * i] = (static_cast<float>(f.landmarks[i].x) - cx) / 32;
                            v[2 * i + 1] = (static_cast<float>(f.landmarks[i].y) - cy) / 32;
                        }
                    }
                }
            }
            const std::string name = std::string(kinds[kind]) + "_" + std::to_string(stride);
            const uint32_t c = b.constant(name + ".value", {anchors, per_anchor[kind]}, values);
            const uint32_t out = b.activation(name, {anchors, per_anchor[kind]});
            b.op(OpType::Binary, name, {c, zero}, out).attributes["op"] =
                ints({static_cast<int64_t>(kernels::BinaryOp::Add)});
            outputs.push_back(out);
        }
    }
    for (uint32_t o : outputs) b.output(o);
    return save_and_open(b, path);
}

FivePoints astronaut_landmarks() {
    const std::string path = "data/astronaut.landmarks.json";
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    size_t at = text.find("\"points\"");
    if (at == std::string::npos) throw std::runtime_error(path + ": no \"points\"");
    FivePoints points;
    for (Point2& p : points) {
        for (double* v : {&p.x, &p.y}) {
            at = text.find_first_of("-0123456789", at + 1);
            if (at == std::string::npos) throw std::runtime_error(path + ": too few numbers");
            char* end = nullptr;
            *v = std::strtod(text.c_str() + at, &end);
            at = static_cast<size_t>(end - text.c_str());
        }
    }
    return points;
}

}  // namespace swaprun::pipeline::testing
