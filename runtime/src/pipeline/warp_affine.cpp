#include "pipeline/warp_affine.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/elementwise_simd.h"
#include "pipeline/bilinear.h"

namespace swaprun::pipeline {

namespace {

// Calls `write(x, y, taps)` for every output pixel whose source neighbourhood touches the
// source image; the rest stay at the zero the output was created with. Rows go to the
// cores: each pixel is computed alone, so the result does not depend on how many.
template <typename Write>
void for_each_source_sample(const Affine2& dst_from_src, int src_width, int src_height, int width,
                            int height, Write write) {
    const Affine2 src_from_dst = invert(dst_from_src);
#pragma omp parallel for schedule(static)
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const Point2 s = src_from_dst.apply({static_cast<double>(x), static_cast<double>(y)});
            const detail::BilinearTaps taps = detail::bilinear_taps(s.x, s.y);
            if (detail::taps_touch(taps, src_width, src_height)) {
                write(x, y, taps);
            }
        }
    }
}

}  // namespace

Image warp_affine(const Image& src, const Affine2& dst_from_src, int width, int height) {
    Image out(width, height);
    warp_affine_into(src, dst_from_src, out);
    return out;
}

void warp_affine_into(const Image& src, const Affine2& dst_from_src, Image& out) {
    if (out.empty()) return;
    if (src.empty()) {
        std::fill(out.data(), out.data() + out.size_bytes(), uint8_t{0});
        return;
    }
    const int width = out.width();
    const int height = out.height();
    const int sw = src.width();
    const int sh = src.height();
    const size_t src_stride = src.stride();
    const uint8_t* src_pixels = src.data();
    const kernels::simd::Table* simd = kernels::simd::table();
    const bool vector = simd != nullptr && simd->bilinear_rgb8 != nullptr &&
                        detail::fits_int32_offsets(src.size_bytes());
    const Affine2 src_from_dst = invert(dst_from_src);
    // Rows go to the cores: each pixel is computed alone, so the result does not depend
    // on how many. Interior pixels (all four taps inside) go to the vector loop in runs;
    // the few at the image's border through the checked sampler.
#pragma omp parallel
    {
        detail::InsideRun run(vector ? width : 0);
#pragma omp for schedule(static)
        for (int y = 0; y < height; ++y) {
            uint8_t* row = out.pixel(0, y);
            auto flush = [&] {
                if (run.count == 0) return;
                simd->bilinear_rgb8(src_pixels, static_cast<int64_t>(src_stride), run.offset.data(),
                                    run.wx.data(), run.wy.data(), run.count,
                                    row + static_cast<size_t>(run.first_x) * 3);
                run.count = 0;
            };
            for (int x = 0; x < width; ++x) {
                const Point2 s =
                    src_from_dst.apply({static_cast<double>(x), static_cast<double>(y)});
                const detail::BilinearTaps taps = detail::bilinear_taps(s.x, s.y);
                const size_t block =
                    static_cast<size_t>(taps.y0) * src_stride + static_cast<size_t>(taps.x0) * 3;
                if (detail::taps_inside(taps, sw, sh)) {
                    if (vector) {
                        run.add(x, taps, static_cast<int32_t>(block));
                        continue;
                    }
                    // The same blend as the checked sampler below, so the same bits.
                    const uint8_t* p0 = src_pixels + block;
                    const uint8_t* p1 = p0 + src_stride;
                    uint8_t* o = row + static_cast<size_t>(x) * 3;
                    for (int c = 0; c < 3; ++c) {
                        o[c] = detail::to_u8(detail::blend_taps(
                            taps, static_cast<float>(p0[c]), static_cast<float>(p0[3 + c]),
                            static_cast<float>(p1[c]), static_cast<float>(p1[3 + c])));
                    }
                    continue;
                }
                flush();
                uint8_t* o = row + static_cast<size_t>(x) * 3;
                if (!detail::taps_touch(taps, sw, sh)) {
                    o[0] = o[1] = o[2] = 0;  // outside the source: the zero border
                    continue;
                }
                for (int c = 0; c < 3; ++c) {
                    o[c] = detail::to_u8(detail::sample_bilinear(taps, sw, sh, [&](int sx, int sy) {
                        return static_cast<float>(src.pixel(sx, sy)[c]);
                    }));
                }
            }
            flush();
        }
    }
}

PlanarImage warp_affine(const PlanarImage& src, const Affine2& dst_from_src, int width,
                        int height) {
    PlanarImage out(width, height);
    if (src.plane_size() == 0) return out;
    for_each_source_sample(dst_from_src, src.width(), src.height(), width, height,
                           [&](int x, int y, const detail::BilinearTaps& taps) {
                               for (int c = 0; c < 3; ++c) {
                                   out.at(c, x, y) = detail::sample_bilinear(
                                       taps, src.width(), src.height(),
                                       [&](int sx, int sy) { return src.at(c, sx, sy); });
                               }
                           });
    return out;
}

}  // namespace swaprun::pipeline
