#include "pipeline/paste_back.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/elementwise_simd.h"
#include "pipeline/bilinear.h"
#include "util/error.h"

namespace swaprun::pipeline {

PixelBox crop_box_in_frame(const Affine2& crop_from_frame, int crop_width, int crop_height,
                           int frame_width, int frame_height) {
    const Affine2 frame_from_crop = invert(crop_from_frame);
    double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
    const double cx[2] = {0.0, crop_width - 1.0};
    const double cy[2] = {0.0, crop_height - 1.0};
    for (double x : cx) {
        for (double y : cy) {
            const Point2 p = frame_from_crop.apply({x, y});
            min_x = std::min(min_x, p.x);
            min_y = std::min(min_y, p.y);
            max_x = std::max(max_x, p.x);
            max_y = std::max(max_y, p.y);
        }
    }
    // Doubles first: a face far outside the frame must not overflow an int.
    auto clip = [](double v, int limit) {
        return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(limit)));
    };
    PixelBox box;
    box.x0 = clip(std::floor(min_x), frame_width);
    box.y0 = clip(std::floor(min_y), frame_height);
    box.x1 = clip(std::ceil(max_x) + 1.0, frame_width);
    box.y1 = clip(std::ceil(max_y) + 1.0, frame_height);
    return box;
}

PixelBox paste_back(Image& frame, const Image& crop, const MaskPlane& mask,
                    const Affine2& crop_from_frame) {
    if (crop.empty() || mask.width != crop.width() || mask.height != crop.height()) {
        throw Error(ErrorKind::InvalidArgument, "paste_back: the mask must match the crop's size");
    }
    const PixelBox box = crop_box_in_frame(crop_from_frame, crop.width(), crop.height(),
                                           frame.width(), frame.height());
    const int cw = crop.width();
    const int ch = crop.height();
    const size_t crop_stride = crop.stride();
    const uint8_t* crop_pixels = crop.data();
    const float* weights = mask.weights.data();
    const size_t mask_stride = static_cast<size_t>(cw);
    const kernels::simd::Table* simd = kernels::simd::table();
    const bool vector = simd != nullptr && simd->paste_rgb8 != nullptr &&
                        detail::fits_int32_offsets(crop.size_bytes());
    // Rows go to the cores: each frame pixel is blended alone, so the result does not
    // depend on how many. Pixels whose taps all lie inside the crop go to the vector loop
    // in runs; the crop's border through the checked sampler.
#pragma omp parallel
    {
        detail::InsideRun run(vector ? box.x1 - box.x0 : 0);
#pragma omp for schedule(static)
        for (int y = box.y0; y < box.y1; ++y) {
            uint8_t* frame_row = frame.pixel(0, y);
            auto flush = [&] {
                if (run.count == 0) return;
                simd->paste_rgb8(crop_pixels, static_cast<int64_t>(crop_stride), run.offset.data(),
                                 weights, static_cast<int64_t>(mask_stride), run.mask_offset.data(),
                                 run.wx.data(), run.wy.data(), run.count,
                                 frame_row + static_cast<size_t>(run.first_x) * 3);
                run.count = 0;
            };
            for (int x = box.x0; x < box.x1; ++x) {
                const Point2 q =
                    crop_from_frame.apply({static_cast<double>(x), static_cast<double>(y)});
                const detail::BilinearTaps taps = detail::bilinear_taps(q.x, q.y);
                uint8_t* f = frame_row + static_cast<size_t>(x) * 3;
                if (detail::taps_inside(taps, cw, ch)) {
                    const size_t m0 =
                        static_cast<size_t>(taps.y0) * mask_stride + static_cast<size_t>(taps.x0);
                    const size_t block = static_cast<size_t>(taps.y0) * crop_stride +
                                         static_cast<size_t>(taps.x0) * 3;
                    if (vector) {
                        run.add(x, taps, static_cast<int32_t>(block), static_cast<int32_t>(m0));
                        continue;
                    }
                    // The same blend as the checked path below, so the same bits.
                    const size_t m1 = m0 + mask_stride;
                    const float w = detail::blend_taps(taps, weights[m0], weights[m0 + 1],
                                                       weights[m1], weights[m1 + 1]);
                    if (!(w > 0.0f)) continue;  // the feathered mask's zero border
                    const uint8_t* p0 = crop_pixels + block;
                    const uint8_t* p1 = p0 + crop_stride;
                    for (int c = 0; c < 3; ++c) {
                        const float value = detail::blend_taps(
                            taps, static_cast<float>(p0[c]), static_cast<float>(p0[3 + c]),
                            static_cast<float>(p1[c]), static_cast<float>(p1[3 + c]));
                        f[c] = detail::to_u8(w * value + (1.0f - w) * static_cast<float>(f[c]));
                    }
                    continue;
                }
                flush();
                if (!detail::taps_touch(taps, cw, ch)) continue;
                const float w = detail::sample_bilinear(
                    taps, cw, ch, [&](int sx, int sy) { return mask.at(sx, sy); });
                if (!(w > 0.0f)) continue;
                for (int c = 0; c < 3; ++c) {
                    const float value = detail::sample_bilinear(taps, cw, ch, [&](int sx, int sy) {
                        return static_cast<float>(crop.pixel(sx, sy)[c]);
                    });
                    f[c] = detail::to_u8(w * value + (1.0f - w) * static_cast<float>(f[c]));
                }
            }
            flush();
        }
    }
    return box;
}

}  // namespace swaprun::pipeline
