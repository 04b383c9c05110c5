// Bilinear sampling with a constant-zero border, as cv2.warpAffine(INTER_LINEAR,
// BORDER_CONSTANT, 0): each of the four taps outside the image counts as 0, so edges fade
// over one pixel instead of being clamped.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace swaprun::pipeline::detail {

struct BilinearTaps {
    int x0 = 0;
    int y0 = 0;
    float wx = 0.0f;  // weight of column x0 + 1
    float wy = 0.0f;  // weight of row y0 + 1
};

inline BilinearTaps bilinear_taps(double x, double y) {
    const double fx = std::floor(x);
    const double fy = std::floor(y);
    return {static_cast<int>(fx), static_cast<int>(fy), static_cast<float>(x - fx),
            static_cast<float>(y - fy)};
}

// True when the 2x2 neighbourhood touches the image at all.
inline bool taps_touch(const BilinearTaps& t, int width, int height) {
    return t.x0 >= -1 && t.x0 < width && t.y0 >= -1 && t.y0 < height;
}

// The one place the four taps are blended, so that every path computes the same float
// expression and gives the same bits.
inline float blend_taps(const BilinearTaps& t, float v00, float v10, float v01, float v11) {
    const float top = v00 + t.wx * (v10 - v00);
    const float bottom = v01 + t.wx * (v11 - v01);
    return top + t.wy * (bottom - top);
}

// `value(x, y)` reads one in-bounds sample.
template <typename Read>
float sample_bilinear(const BilinearTaps& t, int width, int height, Read value) {
    const bool x0_in = t.x0 >= 0;
    const bool x1_in = t.x0 + 1 < width;
    const bool y0_in = t.y0 >= 0;
    const bool y1_in = t.y0 + 1 < height;
    const float v00 = (x0_in && y0_in) ? value(t.x0, t.y0) : 0.0f;
    const float v10 = (x1_in && y0_in) ? value(t.x0 + 1, t.y0) : 0.0f;
    const float v01 = (x0_in && y1_in) ? value(t.x0, t.y0 + 1) : 0.0f;
    const float v11 = (x1_in && y1_in) ? value(t.x0 + 1, t.y0 + 1) : 0.0f;
    return blend_taps(t, v00, v10, v01, v11);
}

// True when all four taps lie inside the image, so they can be read without checks.
inline bool taps_inside(const BilinearTaps& t, int width, int height) {
    return t.x0 >= 0 && t.x0 + 1 < width && t.y0 >= 0 && t.y0 + 1 < height;
}

// Rounds half away from zero, as std::lround, without the library call (which the inner
// loops of the warps spent a fifth of their time in). For 0 < v < 255 the double sum
// v + 0.5 is exact unless v < 2^-22, where it stays below 1 and truncates to 0 as it must.
inline unsigned char to_u8(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 255.0f) return 255;
    return static_cast<unsigned char>(static_cast<int>(static_cast<double>(v) + 0.5));
}

// Consecutive pixels of one output row whose four taps all lie inside the image, gathered
// for the vector loops (kernels/elementwise_simd.h: bilinear_rgb8, paste_rgb8), which take
// each pixel's block as a 32-bit offset.
struct InsideRun {
    explicit InsideRun(int capacity) {
        offset.resize(static_cast<size_t>(capacity));
        mask_offset.resize(static_cast<size_t>(capacity));
        wx.resize(static_cast<size_t>(capacity));
        wy.resize(static_cast<size_t>(capacity));
    }
    void add(int x, const BilinearTaps& t, int32_t block_offset, int32_t block_mask_offset = 0) {
        if (count == 0) first_x = x;
        const size_t i = static_cast<size_t>(count++);
        offset[i] = block_offset;
        mask_offset[i] = block_mask_offset;
        wx[i] = t.wx;
        wy[i] = t.wy;
    }

    std::vector<int32_t> offset, mask_offset;
    std::vector<float> wx, wy;
    int first_x = 0;
    int count = 0;
};

// Whether every byte (or element) offset into a buffer of `size` fits the vector loops'
// 32-bit offsets, with room for the reads one word past a block.
inline bool fits_int32_offsets(size_t size) {
    return size < static_cast<size_t>(std::numeric_limits<int32_t>::max()) - 16;
}

}  // namespace swaprun::pipeline::detail
