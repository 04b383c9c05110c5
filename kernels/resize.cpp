// Fast ONNX Resize over the last two axes of an NCHW tensor.
//
// The source coordinate of every output row and column is computed once (in float,
// with the same formulas as the reference) into tables of up to four (index,
// weight) taps. Each output row is then a vertical combination of input rows into
// a contiguous temporary row (vectorizable), followed by a horizontal gather.
//
// The generators' upsampling, bilinear half-pixel by exactly 2 on both axes, has
// constant weights (0.25 / 0.75) and a fixed tap pattern; with a simd::Table it
// takes a vectorized path that needs no tables and no gathers.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {
namespace {

struct AxisTaps {
    int count = 1;
    std::vector<int64_t> index;  // [out][count]
    std::vector<float> weight;   // [out][count]
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

AxisTaps make_taps(const ResizeParams& p, float scale, int64_t in_len, int64_t out_len) {
    AxisTaps t;
    t.count = p.mode == ResizeMode::Nearest ? 1 : (p.mode == ResizeMode::Linear ? 2 : 4);
    t.index.resize(static_cast<size_t>(out_len * t.count));
    t.weight.resize(static_cast<size_t>(out_len * t.count));
    for (int64_t x = 0; x < out_len; ++x) {
        const double src = source_coordinate(p, x, scale, in_len, out_len);
        const double fl = std::floor(src);
        const int64_t base = static_cast<int64_t>(fl);
        const double ratio = src - fl;
        int64_t* idx = &t.index[static_cast<size_t>(x * t.count)];
        float* w = &t.weight[static_cast<size_t>(x * t.count)];
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
                idx[0] = clamp_index(i, in_len);
                w[0] = 1.0f;
                break;
            }
            case ResizeMode::Linear:
                idx[0] = clamp_index(base, in_len);
                idx[1] = clamp_index(base + 1, in_len);
                w[0] = static_cast<float>(1.0 - ratio);
                w[1] = static_cast<float>(ratio);
                break;
            case ResizeMode::Cubic: {
                const double a = p.cubic_coeff_a;
                const double r = ratio;
                const double s = 1.0 - r;
                double c[4] = {
                    ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a,
                    ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0,
                    ((a + 2.0) * s - (a + 3.0)) * s * s + 1.0,
                    ((a * (s + 1.0) - 5.0 * a) * (s + 1.0) + 8.0 * a) * (s + 1.0) - 4.0 * a,
                };
                double kept = 0.0;
                for (int k = 0; k < 4; ++k) {
                    const int64_t i = base - 1 + k;
                    if (p.exclude_outside && (i < 0 || i >= in_len)) c[k] = 0.0;
                    kept += c[k];
                    idx[k] = clamp_index(i, in_len);
                }
                for (int k = 0; k < 4; ++k) {
                    w[k] =
                        static_cast<float>(p.exclude_outside && kept != 0.0 ? c[k] / kept : c[k]);
                }
                break;
            }
        }
    }
    return t;
}

SWAPRUN_ALWAYS_INLINE void row_impl(const ResizeParams& p, const AxisTaps& ty, const AxisTaps& tx,
                                    const float* in, int64_t oy, float* tmp, float* out) {
    const int64_t iw = p.in_width;
    const int64_t ow = p.out_width;
    const int64_t* yi = &ty.index[static_cast<size_t>(oy * ty.count)];
    const float* yw = &ty.weight[static_cast<size_t>(oy * ty.count)];

    // Vertical pass into tmp (or read the single source row in place).
    const float* row = in + yi[0] * iw;
    if (ty.count > 1) {
        const float w0 = yw[0];
        for (int64_t x = 0; x < iw; ++x) tmp[x] = w0 * row[x];
        for (int k = 1; k < ty.count; ++k) {
            const float* r = in + yi[k] * iw;
            const float wk = yw[k];
            for (int64_t x = 0; x < iw; ++x) tmp[x] += wk * r[x];
        }
        row = tmp;
    }

    // Horizontal pass.
    const int64_t* xi = tx.index.data();
    const float* xw = tx.weight.data();
    switch (tx.count) {
        case 1:
            for (int64_t x = 0; x < ow; ++x) out[x] = row[xi[x]];
            break;
        case 2:
            for (int64_t x = 0; x < ow; ++x) {
                out[x] = xw[2 * x] * row[xi[2 * x]] + xw[2 * x + 1] * row[xi[2 * x + 1]];
            }
            break;
        default:
            for (int64_t x = 0; x < ow; ++x) {
                float s = 0.0f;
                for (int k = 0; k < tx.count; ++k) {
                    s += xw[x * tx.count + k] * row[xi[x * tx.count + k]];
                }
                out[x] = s;
            }
            break;
    }
}

void row_generic(const ResizeParams& p, const AxisTaps& ty, const AxisTaps& tx, const float* in,
                 int64_t oy, float* tmp, float* out) {
    row_impl(p, ty, tx, in, oy, tmp, out);
}

SWAPRUN_TARGET_AVX2 void row_avx2(const ResizeParams& p, const AxisTaps& ty, const AxisTaps& tx,
                                  const float* in, int64_t oy, float* tmp, float* out) {
    row_impl(p, ty, tx, in, oy, tmp, out);
}

void resize_x2_linear(const simd::Table& t, const ResizeParams& p, const float* input,
                      float* output) {
    const int64_t ih = p.in_height, iw = p.in_width, ow = p.out_width;
    const int64_t tasks = p.batch * p.channels * ih;  // one input row -> two output rows
#pragma omp parallel if (tasks * 2 * ow >= 32768)
    {
        std::vector<float> tmp(static_cast<size_t>(iw + 2));
#pragma omp for schedule(static)
        for (int64_t task = 0; task < tasks; ++task) {
            const int64_t plane = task / ih;
            const int64_t i = task % ih;
            const float* in = input + plane * ih * iw;
            const float* row = in + i * iw;
            const float* above = in + simd::resize2x_far_row(2 * i, ih) * iw;
            const float* below = in + simd::resize2x_far_row(2 * i + 1, ih) * iw;
            float* out = output + (plane * 2 * ih + 2 * i) * ow;
            t.resize2x_row(above, row, iw, tmp.data(), out);
            t.resize2x_row(below, row, iw, tmp.data(), out + ow);
        }
    }
}

}  // namespace

// Output row 2i mixes input rows i-1 and i (0.25 / 0.75), row 2i+1 rows i and i+1,
// clamped at the edges; the columns follow the same pattern.
bool is_bilinear_x2(const ResizeParams& p) {
    const bool half_pixel = p.coordinates == ResizeCoordinates::HalfPixel ||
                            p.coordinates == ResizeCoordinates::PytorchHalfPixel;
    return p.mode == ResizeMode::Linear && half_pixel && p.scale_h == 2.0f && p.scale_w == 2.0f &&
           p.in_height > 0 && p.in_width > 0 && p.out_height == 2 * p.in_height &&
           p.out_width == 2 * p.in_width;
}

void resize(const ResizeParams& p, const float* input, float* output) {
    const int64_t planes = p.batch * p.channels;
    if (planes <= 0 || p.out_height <= 0 || p.out_width <= 0) return;
    if (const simd::Table* t = simd::table(); t != nullptr && is_bilinear_x2(p)) {
        resize_x2_linear(*t, p, input, output);
        return;
    }
    const AxisTaps ty = make_taps(p, p.scale_h, p.in_height, p.out_height);
    const AxisTaps tx = make_taps(p, p.scale_w, p.in_width, p.out_width);
    const bool avx2 = cpu::use_avx2();
    const int64_t tasks = planes * p.out_height;
#pragma omp parallel if (tasks * p.out_width >= 32768)
    {
        std::vector<float> tmp(static_cast<size_t>(p.in_width));
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t plane = t / p.out_height;
            const int64_t oy = t % p.out_height;
            const float* in = input + plane * p.in_height * p.in_width;
            float* out = output + (plane * p.out_height + oy) * p.out_width;
            if (avx2) {
                row_avx2(p, ty, tx, in, oy, tmp.data(), out);
            } else {
                row_generic(p, ty, tx, in, oy, tmp.data(), out);
            }
        }
    }
}

}  // namespace swaprun::kernels
