#include "kernels/conv2d_polyphase.h"

#include <omp.h>

#include <algorithm>

#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"

namespace swaprun::kernels::polyphase {

namespace {

// kBlend[a][e][k]: how much kernel tap k (0..2 for offsets -1..1) of an output pixel in
// phase a takes of input offset e (0..2 for -1..1), along one axis. Upsampled pixel
// 2i is 1/4 of input i - 1 and 3/4 of input i; pixel 2i + 1 is 3/4 of input i and 1/4
// of input i + 1. Phase 0 reads pixels 2i - 1, 2i, 2i + 1; phase 1 reads 2i .. 2i + 2.
constexpr double kBlend[2][3][3] = {
    {{0.75, 0.25, 0.0}, {0.25, 0.75, 0.75}, {0.0, 0.0, 0.25}},
    {{0.25, 0.0, 0.0}, {0.75, 0.75, 0.25}, {0.0, 0.25, 0.75}},
};

// n values of an input line, `stride` apart, upsampled by 2 into dst (2n values).
void upsample_line(const float* src, int64_t n, int64_t stride, float* dst) {
    for (int64_t j = 0; j < n; ++j) {
        const float before = src[std::max<int64_t>(j - 1, 0) * stride];
        const float here = src[j * stride];
        const float after = src[std::min<int64_t>(j + 1, n - 1) * stride];
        dst[2 * j] = 0.25f * before + 0.75f * here;
        dst[2 * j + 1] = 0.75f * here + 0.25f * after;
    }
}

// The upsampled image's first and last rows and columns, every channel (in scratch),
// and the corrections of the output's border pixels computed from them (in fixes).
struct Borders {
    int64_t in_c, out_c, h2, w2;  // h2 x w2: the upsampled (and output) size
    float* scratch;
    float* fixes;

    float* top(int64_t c) const { return scratch + c * w2; }
    float* bottom(int64_t c) const { return scratch + (in_c + c) * w2; }
    float* left(int64_t c) const { return scratch + 2 * in_c * w2 + c * h2; }
    float* right(int64_t c) const { return scratch + 2 * in_c * w2 + (in_c + c) * h2; }
    // What to subtract from output channel o's first and last rows (all columns) and
    // first and last columns (rows 1 .. h2 - 2, 0 on the others: the corners are in the
    // rows): PhaseOutput's arrays.
    float* top_fix(int64_t o) const { return fixes + o * w2; }
    float* bottom_fix(int64_t o) const { return fixes + (out_c + o) * w2; }
    float* left_fix(int64_t o) const { return fixes + 2 * out_c * w2 + o * h2; }
    float* right_fix(int64_t o) const { return fixes + 2 * out_c * w2 + (out_c + o) * h2; }
    // corner_fix's values ([in_c][3][3]) for corner i: 0 top left, 1 top right, 2 bottom
    // left, 3 bottom right.
    float* corner(int i) const { return scratch + 2 * in_c * (w2 + h2) + i * in_c * 9; }
    int64_t corner_y(int i) const { return i < 2 ? 0 : h2 - 1; }
    int64_t corner_x(int i) const { return i % 2 == 0 ? 0 : w2 - 1; }
    float& corner_fix_of(int64_t o, int i) const {
        return (i < 2 ? top_fix(o) : bottom_fix(o))[corner_x(i)];
    }

    // The upsampled value at (r, x), a pixel of the border lines.
    float at(int64_t c, int64_t r, int64_t x) const {
        if (x == 0) return left(c)[r];
        if (x == w2 - 1) return right(c)[r];
        return r == 0 ? top(c)[x] : bottom(c)[x];
    }
};

// The sum, over the taps of output pixel (y, x) that fall outside the image, of the
// tap's weight times the edge-padded upsampled value there: what the stacked
// convolution adds and the zero-padded layer does not. For the four corners, whose
// outside taps lie on two borders. `values` (in_c * 9 floats): each channel's 3 x 3
// upsampled values around the pixel where the tap falls outside, 0 where it falls
// inside (corner_values); w: the layer's [out_c][in_c][3][3] kernels.
float corner_fix(int64_t in_c, const float* w, int64_t o, const float* values) {
    const float* k = w + o * in_c * 9;
    // Four partial sums: one would make the loop a chain of dependent adds.
    float sum[4] = {};
    const int64_t taps = in_c * 9;
    int64_t i = 0;
    for (; i + 4 <= taps; i += 4) {
        for (int j = 0; j < 4; ++j) sum[j] += k[i + j] * values[i + j];
    }
    for (; i < taps; ++i) sum[0] += k[i] * values[i];
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

// Channel c's 9 of corner_fix's values for output pixel (y, x), a corner (its border
// lines made).
void corner_values(const Borders& b, int64_t c, int64_t y, int64_t x, float* values) {
    for (int64_t ky = 0; ky < 3; ++ky) {
        for (int64_t kx = 0; kx < 3; ++kx) {
            const int64_t r = y + ky - 1, s = x + kx - 1;
            const bool inside = r >= 0 && r < b.h2 && s >= 0 && s < b.w2;
            values[ky * 3 + kx] = inside ? 0.0f
                                         : b.at(c, std::clamp<int64_t>(r, 0, b.h2 - 1),
                                                std::clamp<int64_t>(s, 0, b.w2 - 1));
        }
    }
}

// For each of `outputs` output channels from o0, fix[i] (fix: n floats a channel, from
// o0's) for i in [1, n - 1): the sum over input channels of three taps of the channel's
// kernels (w: [out_c][in_c][3][3]), tap t at [c][first + t * step], on a border line
// (lines: [in_c][n]) at i - 1 .. i + 1. fix[0] and fix[n - 1] are 0.
void line_fix(int64_t in_c, int64_t n, const float* w, int64_t o0, int64_t outputs, int first,
              int step, const float* lines, float* fix) {
    const float* k = w + o0 * in_c * 9 + first;
    if (const simd::Table* t = simd::table(); t != nullptr) {
        t->correlate3(outputs, in_c, n, lines, k, 9, in_c * 9, step, fix, n);
        return;
    }
    for (int64_t o = 0; o < outputs; ++o) {
        float* f = fix + o * n;
        std::fill(f, f + n, 0.0f);
        for (int64_t c = 0; c < in_c; ++c) {
            const float* t = k + (o * in_c + c) * 9;
            const float t0 = t[0], t1 = t[step], t2 = t[2 * step];
            const float* l = lines + c * n;
            for (int64_t i = 1; i + 1 < n; ++i) f[i] += t0 * l[i - 1] + t1 * l[i] + t2 * l[i + 1];
        }
    }
}

// Output channels a task of border_corrections takes: simd::Table::correlate3 makes
// them a block at a time (3 channels on AVX-512 and NEON, 2 on AVX2), each line loaded
// once per block, so a multiple of both leaves no short block inside a task.
constexpr int64_t kFixChannels = 6;

}  // namespace

bool applies(const Conv2dParams& p) {
    return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 &&
           p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1 && p.pad_top == 1 &&
           p.pad_left == 1 && p.pad_bottom == 1 && p.pad_right == 1 &&
           p.pad_mode == PadMode::Constant && p.in_height >= 2 && p.in_width >= 2 &&
           p.in_height % 2 == 0 && p.in_width % 2 == 0 && p.out_height == p.in_height &&
           p.out_width == p.in_width;
}

Conv2dParams stacked_params(const Conv2dParams& p) {
    Conv2dParams q = p;
    q.in_height = q.out_height = p.in_height / 2;
    q.in_width = q.out_width = p.in_width / 2;
    q.out_channels = 4 * p.out_channels;
    q.pad_mode = PadMode::Edge;
    q.activation = ActivationParams{};
    return q;
}

void stack_weights(const Conv2dParams& p, const float* weight, float* stacked) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    for (int a = 0; a < 2; ++a) {
        for (int b = 0; b < 2; ++b) {
            for (int64_t o = 0; o < out_c; ++o) {
                for (int64_t c = 0; c < in_c; ++c) {
                    const float* w = weight + (o * in_c + c) * 9;
                    float* k = stacked + (((2 * a + b) * out_c + o) * in_c + c) * 9;
                    for (int ey = 0; ey < 3; ++ey) {
                        for (int ex = 0; ex < 3; ++ex) {
                            double sum = 0.0;
                            for (int ky = 0; ky < 3; ++ky) {
                                for (int kx = 0; kx < 3; ++kx) {
                                    sum += kBlend[a][ey][ky] * kBlend[b][ex][kx] * w[ky * 3 + kx];
                                }
                            }
                            k[ey * 3 + ex] = static_cast<float>(sum);
                        }
                    }
                }
            }
        }
    }
}

int64_t image_corrections_floats(const Conv2dParams& p) {
    return cpu::whole_lines(2 * p.out_channels * (p.out_height + p.out_width));
}

int64_t corrections_floats(const Conv2dParams& p) { return p.batch * image_corrections_floats(p); }

int64_t corrections_scratch_floats(const Conv2dParams& p) {
    return 2 * p.in_channels * (p.out_height + p.out_width) + 4 * p.in_channels * 9;
}

winograd::PhaseOutput border_corrections(const Conv2dParams& p, const float* weight,
                                         const float* input, float* corrections, float* scratch,
                                         int threads) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t h = p.in_height / 2, w = p.in_width / 2;
    const int64_t h2 = p.out_height, w2 = p.out_width;
    for (int64_t n = 0; n < p.batch; ++n) {
        const float* in = input + n * in_c * h * w;
        float* const fixes = corrections + n * image_corrections_floats(p);
        const Borders b{in_c, out_c, h2, w2, scratch, fixes};
#pragma omp parallel num_threads(threads)
        {
#pragma omp for schedule(static)
            for (int64_t c = 0; c < in_c; ++c) {
                const float* plane = in + c * h * w;
                upsample_line(plane, w, 1, b.top(c));
                upsample_line(plane + (h - 1) * w, w, 1, b.bottom(c));
                upsample_line(plane, h, w, b.left(c));
                upsample_line(plane + w - 1, h, w, b.right(c));
                for (int i = 0; i < 4; ++i) {
                    corner_values(b, c, b.corner_y(i), b.corner_x(i), b.corner(i) + c * 9);
                }
            }
#pragma omp for schedule(static)
            for (int64_t o0 = 0; o0 < out_c; o0 += kFixChannels) {
                const int64_t count = std::min(kFixChannels, out_c - o0);
                // Row -1 (kernel row 0) outside on the first row, row h2 (kernel row 2)
                // on the last; column -1 (kernel column 0) on the first column, column w2
                // (kernel column 2) on the last.
                line_fix(in_c, w2, weight, o0, count, 0, 1, b.top(0), b.top_fix(o0));
                line_fix(in_c, w2, weight, o0, count, 6, 1, b.bottom(0), b.bottom_fix(o0));
                line_fix(in_c, h2, weight, o0, count, 0, 3, b.left(0), b.left_fix(o0));
                line_fix(in_c, h2, weight, o0, count, 2, 3, b.right(0), b.right_fix(o0));
                for (int64_t o = o0; o < o0 + count; ++o) {
                    for (int i = 0; i < 4; ++i) {
                        b.corner_fix_of(o, i) = corner_fix(in_c, weight, o, b.corner(i));
                    }
                }
            }
        }
    }
    winograd::PhaseOutput phases;
    phases.out_channels = out_c;
    phases.activation = p.activation;
    phases.image_floats = image_corrections_floats(p);
    const Borders first{in_c, out_c, h2, w2, scratch, corrections};
    phases.top = first.top_fix(0);
    phases.bottom = first.bottom_fix(0);
    phases.left = first.left_fix(0);
    phases.right = first.right_fix(0);
    return phases;
}

}  // namespace swaprun::kernels::polyphase
