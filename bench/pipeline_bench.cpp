// The per-frame image steps of `swaprun stream` around the generator, at the sizes of a
// 1280x720 video with one face swapped by a 512 model: the face's crop warped out of the
// frame, the crop to the generator's planar input and back, the paste-back, and the Y4M
// (4:2:0) frame decoded to RGB and re-encoded where the face changed. They report GB/s
// of the pixels written (RGB8 bytes, or float bytes for the planar conversion).
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "pipeline/image_convert.h"
#include "pipeline/paste_back.h"
#include "pipeline/soft_mask.h"
#include "pipeline/warp_affine.h"
#include "pipeline/yuv_rgb.h"

namespace swaprun::bench {
namespace {

namespace p = swaprun::pipeline;

constexpr int kFrameWidth = 1280;
constexpr int kFrameHeight = 720;
constexpr int kCrop = 512;

p::Image noise_image(int width, int height, uint32_t seed) {
    p::Image image(width, height);
    uint32_t state = seed;
    for (size_t i = 0; i < image.size_bytes(); ++i) {
        state = state * 1664525u + 1013904223u;
        image.data()[i] = static_cast<uint8_t>(state >> 24);
    }
    return image;
}

// A face about 240 pixels across near the frame's centre, slightly rotated: the crop
// enlarges it about 2.1 times, as the 512 template does.
p::Affine2 crop_from_frame() {
    const double scale = 2.1;
    const double angle = 0.12;
    const double a = scale * std::cos(angle);
    const double b = scale * std::sin(angle);
    const double cx = 640.0, cy = 330.0;
    return {a, -b, kCrop / 2.0 - (a * cx - b * cy), b, a, kCrop / 2.0 - (b * cx + a * cy)};
}

p::Y4mHeader header_720p() {
    p::Y4mHeader header;
    header.width = kFrameWidth;
    header.height = kFrameHeight;
    header.chroma = p::Y4mChroma::C420jpeg;
    return header;
}

void bm_warp(benchmark::State& state) {
    const p::Image frame = noise_image(kFrameWidth, kFrameHeight, 1);
    const p::Affine2 m = crop_from_frame();
    Work work;
    work.bytes = 3.0 * kCrop * kCrop;
    run_kernel(state, work,
               [&] { benchmark::DoNotOptimize(p::warp_affine(frame, m, kCrop, kCrop)); });
}

void bm_to_planar(benchmark::State& state) {
    const p::Image crop = noise_image(kCrop, kCrop, 2);
    Work work;
    work.bytes = 12.0 * kCrop * kCrop;
    run_kernel(state, work, [&] {
        benchmark::DoNotOptimize(p::to_planar(crop, p::Normalization{0.0f, 255.0f}));
    });
}

void bm_to_rgb8(benchmark::State& state) {
    const p::PlanarImage planar = p::to_planar(noise_image(kCrop, kCrop, 3), {0.0f, 255.0f});
    Work work;
    work.bytes = 3.0 * kCrop * kCrop;
    run_kernel(state, work, [&] {
        benchmark::DoNotOptimize(p::to_rgb8(planar, p::Normalization{0.0f, 255.0f}));
    });
}

void bm_paste_back(benchmark::State& state) {
    const p::Image original = noise_image(kFrameWidth, kFrameHeight, 4);
    const p::Image crop = noise_image(kCrop, kCrop, 5);
    const p::MaskPlane mask = p::make_feathered_mask(kCrop, kCrop);
    const p::Affine2 m = crop_from_frame();
    p::Image frame = original;
    const p::PixelBox box = p::crop_box_in_frame(m, kCrop, kCrop, kFrameWidth, kFrameHeight);
    Work work;
    work.bytes = 3.0 * (box.x1 - box.x0) * (box.y1 - box.y0);
    run_kernel(state, work, [&] { p::paste_back(frame, crop, mask, m); });
}

void bm_y4m_to_rgb(benchmark::State& state) {
    const p::Y4mHeader header = header_720p();
    p::Y4mFrame frame;
    p::rgb_to_y4m(noise_image(kFrameWidth, kFrameHeight, 6), header, frame);
    p::Image rgb;
    Work work;
    work.bytes = 3.0 * kFrameWidth * kFrameHeight;
    run_kernel(state, work, [&] { p::y4m_to_rgb(header, frame, rgb); });
}

// The frame re-encoded after a paste: only the face's box differs.
void bm_update_y4m(benchmark::State& state) {
    const p::Y4mHeader header = header_720p();
    const p::Image decoded = noise_image(kFrameWidth, kFrameHeight, 7);
    p::Image edited = decoded;
    p::paste_back(edited, noise_image(kCrop, kCrop, 8), p::make_full_mask(kCrop, kCrop),
                  crop_from_frame());
    p::Y4mFrame frame;
    p::rgb_to_y4m(decoded, header, frame);
    const p::PixelBox box =
        p::crop_box_in_frame(crop_from_frame(), kCrop, kCrop, kFrameWidth, kFrameHeight);
    Work work;
    work.bytes = 1.5 * (box.x1 - box.x0) * (box.y1 - box.y0);
    run_kernel(state, work, [&] { p::update_y4m_where_changed(decoded, edited, header, frame); });
}

}  // namespace

void register_pipeline_benchmarks(const std::vector<int>& threads) {
    const std::string shape = "/1280x720/crop512";
    register_threaded("pipeline/warp" + shape, threads, bm_warp);
    register_threaded("pipeline/to_planar" + shape, threads, bm_to_planar);
    register_threaded("pipeline/to_rgb8" + shape, threads, bm_to_rgb8);
    register_threaded("pipeline/paste_back" + shape, threads, bm_paste_back);
    register_threaded("pipeline/y4m_to_rgb" + shape, threads, bm_y4m_to_rgb);
    register_threaded("pipeline/update_y4m" + shape, threads, bm_update_y4m);
}

}  // namespace swaprun::bench
