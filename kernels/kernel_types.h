// Parameter types shared by every CPU kernel entry point and its naive reference.
//
// Tensors are dense float32 in row-major (C) order; images are NCHW. Kernels never
// allocate: callers pass output buffers of the size the parameters imply.
#pragma once

#include <array>
#include <cstdint>

namespace swaprun::kernels {

inline constexpr int kMaxRank = 8;

// A tensor shape of rank <= kMaxRank. Rank 0 is a scalar (one element).
struct Shape {
    int rank = 0;
    std::array<int64_t, kMaxRank> dims{};

    int64_t elements() const {
        int64_t n = 1;
        for (int i = 0; i < rank; ++i) n *= dims[i];
        return n;
    }
    int64_t operator[](int i) const { return dims[i]; }
};

// Activation applied in a kernel's epilogue.
enum class Activation : uint8_t {
    None = 0,
    Relu = 1,
    LeakyRelu = 2,  // x < 0 ? alpha * x : x
    Tanh = 3,
    TanhUnit = 4,  // (tanh(x) + 1) / 2: maps the generator's tanh output onto [0, 1]
    Sigmoid = 5,
};

struct ActivationParams {
    Activation kind = Activation::None;
    float alpha = 0.0f;  // LeakyRelu slope

    bool operator==(const ActivationParams&) const = default;
};

// How a convolution or Pad reads outside its input.
enum class PadMode : uint8_t {
    Constant = 0,  // the value `pad_value` (0 for convolutions)
    Reflect = 1,   // mirror without repeating the edge: x[-1] = x[1]
    Edge = 2,      // repeat the edge: x[-1] = x[0]
};

struct Conv2dParams {
    int64_t batch = 1;
    int64_t in_channels = 0, in_height = 0, in_width = 0;
    int64_t out_channels = 0, out_height = 0, out_width = 0;
    int64_t kernel_h = 1, kernel_w = 1;
    int64_t stride_h = 1, stride_w = 1;
    int64_t dilation_h = 1, dilation_w = 1;
    int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    int64_t groups = 1;
    PadMode pad_mode = PadMode::Constant;  // Constant means zero padding
    ActivationParams activation;

    bool operator==(const Conv2dParams&) const = default;
};

// Instance normalization followed by per-channel modulation and an activation:
//   y = act(((x - mean) / sqrt(var + eps)) * scale[n,c] + shift[n,c])
// mean and (biased) var are over H*W of each (n, c). scale and shift hold
// batch * channels values each (or channels values when broadcast_batch is set).
struct AdainParams {
    int64_t batch = 1, channels = 0, height = 0, width = 0;
    float epsilon = 1e-5f;
    bool broadcast_batch = false;
    ActivationParams activation;
};

// Y[M,N] = alpha * op(A) * op(B) + beta * C, with op() an optional transpose.
// A is [M,K] ([K,M] when trans_a), B is [K,N] ([N,K] when trans_b).
// C (optional) broadcasts: bias_rows is 1 or M, bias_cols is 1 or N,
// element (i, j) reads C[(i % bias_rows) * bias_cols + (j % bias_cols)].
struct GemmParams {
    int64_t m = 0, n = 0, k = 0;
    bool trans_a = false, trans_b = false;
    float alpha = 1.0f, beta = 1.0f;
    int64_t bias_rows = 1, bias_cols = 1;
    ActivationParams activation;
};

enum class ResizeMode : uint8_t { Nearest = 0, Linear = 1, Cubic = 2 };

// ONNX Resize coordinate_transformation_mode values (tf_crop_and_resize excluded).
enum class ResizeCoordinates : uint8_t {
    HalfPixel = 0,
    PytorchHalfPixel = 1,
    AlignCorners = 2,
    Asymmetric = 3,
    TfHalfPixelForNn = 4,
};

// ONNX Resize nearest_mode values.
enum class NearestRounding : uint8_t {
    RoundPreferFloor = 0,
    RoundPreferCeil = 1,
    Floor = 2,
    Ceil = 3
};

// Resize of the last two axes of an NCHW tensor, with ONNX Resize semantics.
// scale_h / scale_w are the scales the coordinate transform divides by: the
// explicit `scales` input when the model gave one, else out / in.
struct ResizeParams {
    int64_t batch = 1, channels = 0;
    int64_t in_height = 0, in_width = 0, out_height = 0, out_width = 0;
    float scale_h = 1.0f, scale_w = 1.0f;
    ResizeMode mode = ResizeMode::Linear;
    ResizeCoordinates coordinates = ResizeCoordinates::HalfPixel;
    NearestRounding nearest = NearestRounding::RoundPreferFloor;
    float cubic_coeff_a = -0.75f;
    bool exclude_outside = false;
};

// PRelu: a < 0 ? a * b : a (b is the slope, usually one per channel).
enum class BinaryOp : uint8_t {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Div = 3,
    Pow = 4,
    Max = 5,
    Min = 6,
    PRelu = 7,
};

enum class UnaryOp : uint8_t {
    Identity = 0,
    Relu = 1,
    LeakyRelu = 2,
    Tanh = 3,
    TanhUnit = 4,
    Sigmoid = 5,
    Sqrt = 6,
    Neg = 7,
    Abs = 8,
    Exp = 9,
    Log = 10,
};

enum class PoolKind : uint8_t { Max = 0, Average = 1 };

// Max or average pooling over the last two axes of an NCHW tensor, as ONNX MaxPool and
// AveragePool (and ORT) define them. Window (oy, ox) covers rows
// [oy * stride_h - pad_top, + kernel_h) clipped to the padded extent
// [-pad_top, in_height + pad_bottom), and likewise columns; only the cells inside the
// input take part. The average divides by the number of those cells, or, with
// count_include_pad, by the window's size within the padded extent. Every window holds
// at least one input cell (pads smaller than the kernel, no window starting in the
// trailing padding), which validation guarantees.
struct Pool2dParams {
    int64_t batch = 1, channels = 0;
    int64_t in_height = 0, in_width = 0, out_height = 0, out_width = 0;
    int64_t kernel_h = 1, kernel_w = 1;
    int64_t stride_h = 1, stride_w = 1;
    int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    PoolKind kind = PoolKind::Max;
    bool count_include_pad = false;
};

// Pad of an N-d tensor. begin[i] / end[i] may be negative (crop), as ONNX allows.
struct PadParams {
    Shape in_shape;
    std::array<int64_t, kMaxRank> begin{}, end{};
    PadMode mode = PadMode::Constant;
    float value = 0.0f;
};

}  // namespace swaprun::kernels
