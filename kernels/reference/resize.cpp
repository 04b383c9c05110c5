// Naive ONNX Resize (opset 11..13) over the last two axes of an NCHW tensor.
//
// Each output coordinate maps to a source coordinate (computed in float, as
// onnxruntime does), which selects up to four source samples per axis with
// weights; indices outside the input are clamped to the border, except that
// cubic with exclude_outside drops them and renormalizes the remaining weights.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/reference.h"

namespace swaprun::kernels::reference {
namespace {

struct Taps {
    int count = 0;
    int64_t index[4] = {0, 0, 0, 0};
    double weight[4] = {0.0, 0.0, 0.0, 0.0};
};

float source_coordinate(const ResizeParams& p, int64_t x, float scale, int64_t in_len,
                        int64_t out_len) {
    const float xf = static_cast<float>(x);
    switch (p.coordinates) {
        case ResizeCoordinates::HalfPixel:
            return (xf + 0.5f) / scale - 0.5f;
        case ResizeCoordinates::PytorchHalfPixel:
            return out_len > 1 ? (xf + 0.5f) / scale - 0.5f : 0.0f;
        case ResizeCoordinates::AlignCorners:
            // ONNX measures the resized length as in * scale, unrounded (it differs
            // from the integer output length when a scale, not a size, was given).
            return out_len == 1 || static_cast<float>(in_len) * scale <= 1.0f
                       ? 0.0f
                       : xf * static_cast<float>(in_len - 1) /
                             (static_cast<float>(in_len) * scale - 1.0f);
        case ResizeCoordinates::Asymmetric:
            return xf / scale;
        case ResizeCoordinates::TfHalfPixelForNn:
            return (xf + 0.5f) / scale;
    }
    return 0.0f;
}

int64_t clamp_index(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

Taps axis_taps(const ResizeParams& p, int64_t x, float scale, int64_t in_len, int64_t out_len) {
    const double src = source_coordinate(p, x, scale, in_len, out_len);
    const double fl = std::floor(src);
    const int64_t base = static_cast<int64_t>(fl);
    const double ratio = src - fl;
    Taps t;
    switch (p.mode) {
        case ResizeMode::Nearest: {
            int64_t i = base;
            if (ratio > 0.0) {
                switch (p.nearest) {
                    case NearestRounding::RoundPreferFloor:
                        i = ratio <= 0.5 ? base : base + 1;
                        break;
                    case NearestRounding::RoundPreferCeil:
                        i = ratio < 0.5 ? base : base + 1;
                        break;
                    case NearestRounding::Floor:
                        i = base;
                        break;
                    case NearestRounding::Ceil:
                        i = base + 1;
                        break;
                }
            }
            t.count = 1;
            t.index[0] = clamp_index(i, in_len);
            t.weight[0] = 1.0;
            break;
        }
        case ResizeMode::Linear:
            t.count = 2;
            t.index[0] = clamp_index(base, in_len);
            t.index[1] = clamp_index(base + 1, in_len);
            t.weight[0] = 1.0 - ratio;
            t.weight[1] = ratio;
            break;
        case ResizeMode::Cubic: {
            const double a = p.cubic_coeff_a;
            const double r = ratio;
            const double s = 1.0 - r;
            t.count = 4;
            t.weight[0] = ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a;
            t.weight[1] = ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0;
            t.weight[2] = ((a + 2.0) * s - (a + 3.0)) * s * s + 1.0;
            t.weight[3] = ((a * (s + 1.0) - 5.0 * a) * (s + 1.0) + 8.0 * a) * (s + 1.0) - 4.0 * a;
            double kept = 0.0;
            for (int k = 0; k < 4; ++k) {
                const int64_t i = base - 1 + k;
                if (p.exclude_outside && (i < 0 || i >= in_len)) t.weight[k] = 0.0;
                kept += t.weight[k];
                t.index[k] = clamp_index(i, in_len);
            }
            if (p.exclude_outside && kept != 0.0) {
                for (double& w : t.weight) w /= kept;
            }
            break;
        }
    }
    return t;
}

}  // namespace

void resize(const ResizeParams& p, const float* input, float* output) {
    std::vector<Taps> ty(static_cast<size_t>(p.out_height));
    std::vector<Taps> tx(static_cast<size_t>(p.out_width));
    for (int64_t y = 0; y < p.out_height; ++y)
        ty[y] = axis_taps(p, y, p.scale_h, p.in_height, p.out_height);
    for (int64_t x = 0; x < p.out_width; ++x)
        tx[x] = axis_taps(p, x, p.scale_w, p.in_width, p.out_width);

    const int64_t planes = p.batch * p.channels;
    for (int64_t pl = 0; pl < planes; ++pl) {
        const float* in = input + pl * p.in_height * p.in_width;
        float* out = output + pl * p.out_height * p.out_width;
        for (int64_t y = 0; y < p.out_height; ++y) {
            for (int64_t x = 0; x < p.out_width; ++x) {
                double sum = 0.0;
                for (int i = 0; i < ty[y].count; ++i) {
                    for (int j = 0; j < tx[x].count; ++j) {
                        sum += ty[y].weight[i] * tx[x].weight[j] *
                               in[ty[y].index[i] * p.in_width + tx[x].index[j]];
                    }
                }
                out[y * p.out_width + x] = static_cast<float>(sum);
            }
        }
    }
}

}  // namespace swaprun::kernels::reference
