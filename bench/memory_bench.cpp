// The memory-bound kernels at the generators' shapes: adain (fused instance norm +
// modulation + activation, + residual on the second conv of a block), bilinear x2
// resize before the up convs, and elementwise ops. They report GB/s of the tensors
// read and written once each; adain reads its input more than once (mean, variance,
// output passes), so its GB/s is the effective rate, not the bus traffic.
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "kernels/kernels.h"

namespace swaprun::bench {
namespace {

namespace k = swaprun::kernels;

struct Plane {
    const char* name;
    int64_t channels, size;
};

std::string plane_name(const char* family, const Plane& s, const char* suffix) {
    return std::string(family) + "/" + s.name + "/" + std::to_string(s.channels) + "x" +
           std::to_string(s.size) + "x" + std::to_string(s.size) + suffix;
}

// ---- adain -------------------------------------------------------------------

constexpr Plane kAdainShapes[] = {
    {"inswapper_block", 1024, 32},
    {"live_base_block", 192, 32},
    {"live_mini_block", 128, 32},
};

void bm_adain(benchmark::State& state, const Plane& s, bool residual) {
    k::AdainParams p;
    p.channels = s.channels;
    p.height = p.width = s.size;
    p.epsilon = 1e-8f;
    p.activation = {residual ? k::Activation::None : k::Activation::Relu, 0.0f};
    const int64_t count = s.channels * s.size * s.size;
    const auto x = random_tensor(count, 1.0f, 21);
    const auto scale = random_tensor(s.channels, 0.2f, 22);
    const auto shift = random_tensor(s.channels, 0.2f, 23);
    const auto res = random_tensor(count, 1.0f, 24);
    std::vector<float> y(static_cast<size_t>(count));

    Work work;
    work.bytes = 4.0 * static_cast<double>(count * (residual ? 3 : 2));
    run_kernel(state, work, [&] {
        k::adain(p, x.data(), scale.data(), shift.data(), residual ? res.data() : nullptr,
                 y.data());
    });
}

// ---- resize ------------------------------------------------------------------

// The inputs of the x2 bilinear resizes (ONNX Resize, linear, half_pixel).
constexpr Plane kResizeShapes[] = {
    {"inswapper_up0", 1024, 32},
    {"inswapper_up1", 512, 64},
    {"live_base_up1", 192, 64},
    {"live_up3", 16, 256},
};

void bm_resize(benchmark::State& state, const Plane& s) {
    k::ResizeParams p;
    p.channels = s.channels;
    p.in_height = p.in_width = s.size;
    p.out_height = p.out_width = 2 * s.size;
    p.scale_h = p.scale_w = 2.0f;
    p.mode = k::ResizeMode::Linear;
    p.coordinates = k::ResizeCoordinates::HalfPixel;
    const int64_t in_count = s.channels * s.size * s.size;
    const auto x = random_tensor(in_count, 1.0f, 31);
    std::vector<float> y(static_cast<size_t>(4 * in_count));

    Work work;
    work.bytes = 4.0 * static_cast<double>(5 * in_count);
    run_kernel(state, work, [&] { k::resize(p, x.data(), y.data()); });
}

// ---- elementwise -------------------------------------------------------------

// The largest activation of each model family: the residual stream of the
// inswapper blocks and the 512x512 head/tail maps of the live models.
constexpr Plane kElementwiseShapes[] = {
    {"inswapper_block", 1024, 32},
    {"live_full_res", 16, 512},
};

k::Shape nchw(const Plane& s) {
    k::Shape shape;
    shape.rank = 4;
    shape.dims[0] = 1;
    shape.dims[1] = s.channels;
    shape.dims[2] = shape.dims[3] = s.size;
    return shape;
}

void bm_binary_add(benchmark::State& state, const Plane& s) {
    const k::Shape shape = nchw(s);
    const int64_t count = shape.elements();
    const auto a = random_tensor(count, 1.0f, 41);
    const auto b = random_tensor(count, 1.0f, 42);
    std::vector<float> y(static_cast<size_t>(count));
    Work work;
    work.bytes = 4.0 * static_cast<double>(3 * count);
    run_kernel(state, work, [&] {
        k::binary(k::BinaryOp::Add, shape, a.data(), shape, b.data(), shape, y.data());
    });
}

// Per-channel bias add: b broadcasts as [1, C, 1, 1] (the unfused conv bias).
void bm_binary_bias(benchmark::State& state, const Plane& s) {
    const k::Shape shape = nchw(s);
    k::Shape bias_shape = shape;
    bias_shape.dims[2] = bias_shape.dims[3] = 1;
    const int64_t count = shape.elements();
    const auto a = random_tensor(count, 1.0f, 43);
    const auto b = random_tensor(s.channels, 1.0f, 44);
    std::vector<float> y(static_cast<size_t>(count));
    Work work;
    work.bytes = 4.0 * static_cast<double>(2 * count + s.channels);
    run_kernel(state, work, [&] {
        k::binary(k::BinaryOp::Add, shape, a.data(), bias_shape, b.data(), shape, y.data());
    });
}

void bm_unary(benchmark::State& state, const Plane& s, k::UnaryOp op) {
    const int64_t count = s.channels * s.size * s.size;
    const auto x = random_tensor(count, 2.0f, 45);
    std::vector<float> y(static_cast<size_t>(count));
    Work work;
    work.bytes = 4.0 * static_cast<double>(2 * count);
    run_kernel(state, work, [&] { k::unary(op, 0.2f, count, x.data(), y.data()); });
}

}  // namespace

void register_adain_benchmarks(const std::vector<int>& threads) {
    for (const Plane& s : kAdainShapes) {
        register_threaded(plane_name("adain", s, "_relu"), threads,
                          [&s](benchmark::State& state) { bm_adain(state, s, false); });
        register_threaded(plane_name("adain", s, "_residual"), threads,
                          [&s](benchmark::State& state) { bm_adain(state, s, true); });
    }
}

void register_resize_benchmarks(const std::vector<int>& threads) {
    for (const Plane& s : kResizeShapes) {
        register_threaded(plane_name("resize", s, "_bilinear_x2"), threads,
                          [&s](benchmark::State& state) { bm_resize(state, s); });
    }
}

void register_elementwise_benchmarks(const std::vector<int>& threads) {
    for (const Plane& s : kElementwiseShapes) {
        register_threaded(plane_name("binary_add", s, ""), threads,
                          [&s](benchmark::State& state) { bm_binary_add(state, s); });
        register_threaded(plane_name("binary_add", s, "_channel_bias"), threads,
                          [&s](benchmark::State& state) { bm_binary_bias(state, s); });
        register_threaded(
            plane_name("unary", s, "_leaky_relu"), threads,
            [&s](benchmark::State& state) { bm_unary(state, s, k::UnaryOp::LeakyRelu); });
        register_threaded(plane_name("unary", s, "_tanh"), threads,
                          [&s](benchmark::State& state) { bm_unary(state, s, k::UnaryOp::Tanh); });
    }
}

}  // namespace swaprun::bench
