// Packing a convolution's weights, once at load, into the layouts its micro-kernels
// read (conv2d_weight_packing.h).
#include "kernels/conv2d_weight_packing.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "kernels/winograd.h"
#include "kernels/winograd_amx.h"

namespace swaprun::kernels {
namespace {

// The most output channels one Winograd micro-kernel takes (winograd_*.cpp).
constexpr int kMaxWinogradRows = 16;

// y = G x for F(4x4, 3x3)'s kernel transform
//   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
// on n lanes at once (n kernels of one block; the loops over lanes vectorize). In double:
// the weights are transformed once, so they may as well be exact to float rounding.
using Lanes = double[kMaxWinogradRows];
void apply_g(const Lanes& x0, const Lanes& x1, const Lanes& x2, Lanes* const (&y)[6], int n) {
    for (int r = 0; r < n; ++r) {
        const double outer = x0[r] + x2[r];
        const double odd = x1[r] * (1.0 / 12);
        const double even = x0[r] * (1.0 / 24) + x2[r] * (1.0 / 6);
        (*y[0])[r] = x0[r] * 0.25;
        (*y[1])[r] = (outer + x1[r]) * (-1.0 / 6);
        (*y[2])[r] = (outer - x1[r]) * (-1.0 / 6);
        (*y[3])[r] = even + odd;
        (*y[4])[r] = even - odd;
        (*y[5])[r] = x2[r];
    }
}

// U = G g G^T of the mr kernels (output channels k0.., input channel c) of one
// micro-kernel block, written as the 36 runs of mr floats the GEMM reads:
// point xi's run at u + xi * point_floats. Kernels past out_c give zeros.
void transform_block(const float* weight, int64_t k0, int64_t c, int64_t in_c, int64_t out_c,
                     int mr, float* u, int64_t point_floats) {
    Lanes g[9] = {};  // g[i * 3 + j][r]: tap (i, j) of kernel k0 + r
    for (int r = 0; r < mr && k0 + r < out_c; ++r) {
        const float* kernel = weight + ((k0 + r) * in_c + c) * 9;
        for (int t = 0; t < 9; ++t) g[t][r] = kernel[t];
    }
    Lanes cols[6][3];  // (G g)[i][j]: G down each column of g
    for (int j = 0; j < 3; ++j) {
        apply_g(g[j], g[3 + j], g[6 + j],
                {&cols[0][j], &cols[1][j], &cols[2][j], &cols[3][j], &cols[4][j], &cols[5][j]}, mr);
    }
    Lanes points[36];  // (G g G^T)[i][j] = G along row i of G g
    for (int i = 0; i < 6; ++i) {
        apply_g(cols[i][0], cols[i][1], cols[i][2],
                {&points[i * 6], &points[i * 6 + 1], &points[i * 6 + 2], &points[i * 6 + 3],
                 &points[i * 6 + 4], &points[i * 6 + 5]},
                mr);
    }
    for (int xi = 0; xi < winograd::kPoints; ++xi) {
        float* run = u + xi * point_floats;
        for (int r = 0; r < mr; ++r) run[r] = static_cast<float>(points[xi][r]);
    }
}

}  // namespace

void pack_amx_weights(const Conv2dParams& p, const float* weight, bool per_run, float* out) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    if (per_run) {
        const int64_t padded = winograd_amx::steps(in_c) * winograd_amx::kStep;
        const int64_t plane = winograd_amx::g_plane_floats(out_c, in_c);
#pragma omp parallel for schedule(static)
        for (int64_t k = 0; k < out_c; ++k) {
            for (int t = 0; t < 9; ++t) {
                float* dst = out + t * plane + k * padded;
                for (int64_t c = 0; c < padded; ++c) {
                    dst[c] = c < in_c ? weight[(k * in_c + c) * 9 + t] : 0.0f;
                }
            }
        }
        return;
    }
    // Per tile of 16 output channels, U of every input channel by transform_block (in
    // double, as the fp32 layers' U) into [xi][c][r], then each point's part packed.
    constexpr int64_t kRows = winograd_amx::kTileRows;
    static_assert(kRows <= kMaxWinogradRows);
    uint16_t* a = reinterpret_cast<uint16_t*>(out);
    const int64_t point_words = winograd_amx::a_words(out_c, in_c);
    const int64_t point_floats = kRows * in_c;
#pragma omp parallel
    {
        std::vector<float> u(static_cast<size_t>(winograd::kPoints * point_floats));
#pragma omp for schedule(static)
        for (int64_t kt = 0; kt < out_c / kRows; ++kt) {
            for (int64_t c = 0; c < in_c; ++c) {
                transform_block(weight, kt * kRows, c, in_c, out_c, kRows, u.data() + c * kRows,
                                point_floats);
            }
            for (int xi = 0; xi < winograd::kPoints; ++xi) {
                winograd_amx::pack_u(
                    u.data() + xi * point_floats, kRows, in_c, 1, kRows,
                    a + xi * point_words + winograd_amx::a_words(kt * kRows, in_c));
            }
        }
    }
}

void pack_direct_weights(const Conv2dParams& p, int64_t mr, const float* weight, float* out) {
    const int64_t icg = p.in_channels / p.groups, ocg = p.out_channels / p.groups;
    const int64_t blocks = (ocg + mr - 1) / mr;
    const int64_t taps = icg * p.kernel_h * p.kernel_w;
    for (int64_t g = 0; g < p.groups; ++g) {
        for (int64_t o = 0; o < ocg; ++o) {
            const int64_t b = o / mr, r = o % mr;
            const float* src = weight + (g * ocg + o) * taps;
            float* dst = out + (g * blocks + b) * taps * mr + r;
            for (int64_t t = 0; t < taps; ++t) dst[t * mr] = src[t];
        }
    }
}

void pack_winograd_kernels(const Conv2dParams& p, int64_t mr, int64_t k_blocks, const float* weight,
                           float* out) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t plane = winograd::g_plane_floats(in_c, mr);
#pragma omp parallel for schedule(static)
    for (int64_t kb = 0; kb < k_blocks; ++kb) {
        float* block = out + kb * 9 * plane;
        for (int t = 0; t < 9; ++t) {
            float* dst = block + t * plane;
            std::fill(dst + in_c * mr, dst + plane, 0.0f);
            for (int64_t c = 0; c < in_c; ++c) {
                for (int64_t r = 0; r < mr; ++r) {
                    const int64_t k = kb * mr + r;
                    dst[c * mr + r] = k < out_c ? weight[(k * in_c + c) * 9 + t] : 0.0f;
                }
            }
        }
    }
}

void pack_winograd_u(const Conv2dParams& p, int64_t mr, int64_t k_blocks, const float* weight,
                     float* out) {
    // Blocks of mr output channels are independent, so the cores share them; within a
    // block the input channels go in order, so each of the 36 points is written as
    // one sequential stream, and each kernel's 9 weights are read in order.
    if (mr > kMaxWinogradRows) throw std::logic_error("PreparedConv2d: Winograd rows too wide");
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t point_floats = k_blocks * in_c * mr;
#pragma omp parallel for schedule(static)
    for (int64_t kb = 0; kb < k_blocks; ++kb) {
        for (int64_t c = 0; c < in_c; ++c) {
            transform_block(weight, kb * mr, c, in_c, out_c, static_cast<int>(mr),
                            out + (kb * in_c + c) * mr, point_floats);
        }
    }
}

}  // namespace swaprun::kernels
