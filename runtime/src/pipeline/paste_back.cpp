#include "pipeline/paste_back.h"

#include <algorithm>
#include <cmath>

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
    for (int y = box.y0; y < box.y1; ++y) {
        for (int x = box.x0; x < box.x1; ++x) {
            const Point2 q =
                crop_from_frame.apply({static_cast<double>(x), static_cast<double>(y)});
            const detail::BilinearTaps taps = detail::bilinear_taps(q.x, q.y);
            if (!detail::taps_touch(taps, cw, ch)) continue;
            const float w = detail::sample_bilinear(
                taps, cw, ch, [&](int sx, int sy) { return mask.at(sx, sy); });
            if (!(w > 0.0f)) continue;
            uint8_t* f = frame.pixel(x, y);
            for (int c = 0; c < 3; ++c) {
                const float value = detail::sample_bilinear(taps, cw, ch, [&](int sx, int sy) {
                    return static_cast<float>(crop.pixel(sx, sy)[c]);
                });
                f[c] = detail::to_u8(w * value + (1.0f - w) * static_cast<float>(f[c]));
            }
        }
    }
    return box;
}

}  // namespace swaprun::pipeline
