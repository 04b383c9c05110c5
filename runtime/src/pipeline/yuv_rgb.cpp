#include "pipeline/yuv_rgb.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

constexpr double kKr = 0.299;
constexpr double kKb = 0.114;
constexpr double kKg = 1.0 - kKr - kKb;

struct Levels {
    double luma_offset;   // 16 or 0
    double luma_range;    // 219 or 255
    double chroma_range;  // 224 or 255
};

Levels levels_of(const Y4mHeader& header) {
    return header.full_range ? Levels{0.0, 255.0, 255.0} : Levels{16.0, 219.0, 224.0};
}

// Per-value contributions in 16.16 fixed point, so that decoding is table look-ups and
// adds: R = Y + V_r, G = Y + U_g + V_g, B = Y + U_b.
struct DecodeTables {
    std::array<int32_t, 256> luma, red_v, green_u, green_v, blue_u;

    explicit DecodeTables(const Levels& levels) {
        const double luma_scale = 255.0 / levels.luma_range;
        const double chroma_scale = 255.0 / levels.chroma_range;
        for (int i = 0; i < 256; ++i) {
            const double c = (i - 128) * chroma_scale;
            luma[i] = fixed((i - levels.luma_offset) * luma_scale);
            red_v[i] = fixed(2.0 * (1.0 - kKr) * c);
            blue_u[i] = fixed(2.0 * (1.0 - kKb) * c);
            green_u[i] = fixed(-2.0 * kKb * (1.0 - kKb) / kKg * c);
            green_v[i] = fixed(-2.0 * kKr * (1.0 - kKr) / kKg * c);
        }
    }
    static int32_t fixed(double v) { return static_cast<int32_t>(std::lround(v * 65536.0)); }
};

inline uint8_t to_byte(int32_t fixed_value) {
    return static_cast<uint8_t>(std::clamp((fixed_value + 32768) >> 16, 0, 255));
}

inline void decode_pixel(const DecodeTables& t, uint8_t y, uint8_t u, uint8_t v, uint8_t* out) {
    const int32_t yy = t.luma[y];
    out[0] = to_byte(yy + t.red_v[v]);
    out[1] = to_byte(yy + t.green_u[u] + t.green_v[v]);
    out[2] = to_byte(yy + t.blue_u[u]);
}

// std::clamp(std::lround(v), 0, 255) without the library call, which the encoder's inner
// loops spent much of their time in. For 0 < v < 255, trunc(v) and v - trunc(v) are
// exact, so this rounds half away from zero as lround does (v + 0.5 itself could round).
inline uint8_t round_byte(double v) {
    if (!(v > 0.0)) return 0;
    if (v >= 255.0) return 255;
    const double whole = std::trunc(v);
    return static_cast<uint8_t>(static_cast<int>(whole) + (v - whole >= 0.5 ? 1 : 0));
}

struct Encoder {
    Levels levels;
    uint8_t luma(const uint8_t* rgb) const {
        const double y = kKr * rgb[0] + kKg * rgb[1] + kKb * rgb[2];
        return round_byte(levels.luma_offset + y * levels.luma_range / 255.0);
    }
    // The chroma of the mean colour of `count` pixels whose channel sums are given.
    void chroma(const double sum[3], int count, uint8_t& u, uint8_t& v) const {
        const double r = sum[0] / count, g = sum[1] / count, b = sum[2] / count;
        const double y = kKr * r + kKg * g + kKb * b;
        const double scale = levels.chroma_range / 255.0;
        u = round_byte(128.0 + (b - y) / (2.0 * (1.0 - kKb)) * scale);
        v = round_byte(128.0 + (r - y) / (2.0 * (1.0 - kKr)) * scale);
    }
};

// Horizontal and vertical chroma subsampling factors (1 or 2); 0 for Mono.
struct Subsampling {
    int x, y;
};

Subsampling subsampling_of(Y4mChroma chroma) {
    switch (chroma) {
        case Y4mChroma::C444:
            return {1, 1};
        case Y4mChroma::C422:
            return {2, 1};
        case Y4mChroma::Mono:
            return {0, 0};
        default:
            return {2, 2};
    }
}

void check_image(const Image& rgb, const Y4mHeader& header, const char* what) {
    if (rgb.width() != header.width || rgb.height() != header.height) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(what, ": the image is ", rgb.width(), "x", rgb.height(),
                            ", the Y4M stream's frames ", header.width, "x", header.height));
    }
}

// Re-encodes the chroma sample (cx, cy) from the pixels it covers in `rgb`.
void encode_chroma_sample(const Image& rgb, const Encoder& encoder, Subsampling sub, int cx, int cy,
                          const Y4mPlanes& planes) {
    double sum[3] = {0, 0, 0};
    int count = 0;
    const int x_end = std::min((cx + 1) * sub.x, rgb.width());
    const int y_end = std::min((cy + 1) * sub.y, rgb.height());
    for (int y = cy * sub.y; y < y_end; ++y) {
        for (int x = cx * sub.x; x < x_end; ++x) {
            const uint8_t* p = rgb.pixel(x, y);
            sum[0] += p[0];
            sum[1] += p[1];
            sum[2] += p[2];
            ++count;
        }
    }
    const size_t at = size_t(cy) * size_t(planes.sizes.chroma_width) + size_t(cx);
    encoder.chroma(sum, count, planes.u[at], planes.v[at]);
}

}  // namespace

void y4m_to_rgb(const Y4mHeader& header, const Y4mFrame& frame, Image& rgb) {
    const Y4mConstPlanes planes = y4m_planes(header, frame);
    if (rgb.width() != header.width || rgb.height() != header.height) {
        rgb = Image(header.width, header.height);
    }
    const DecodeTables t(levels_of(header));
    const Subsampling sub = subsampling_of(header.chroma);
    const int width = header.width;
    // Rows go to the cores (each is converted alone: the same bytes for any count).
#pragma omp parallel for schedule(static)
    for (int y = 0; y < header.height; ++y) {
        const uint8_t* luma = planes.y + size_t(y) * size_t(width);
        uint8_t* out = rgb.pixel(0, y);
        if (sub.x == 0) {
            for (int x = 0; x < width; ++x) {
                const uint8_t g = to_byte(t.luma[luma[x]]);
                out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = g;
            }
            continue;
        }
        const size_t chroma_row = size_t(y / sub.y) * size_t(planes.sizes.chroma_width);
        const uint8_t* u = planes.u + chroma_row;
        const uint8_t* v = planes.v + chroma_row;
        if (sub.x == 1) {
            for (int x = 0; x < width; ++x) decode_pixel(t, luma[x], u[x], v[x], out + 3 * x);
            continue;
        }
        // Each chroma sample covers two pixels: its contributions are looked up once.
        int x = 0;
        for (; x + 1 < width; x += 2) {
            const int cx = x >> 1;
            const int32_t red = t.red_v[v[cx]];
            const int32_t green = t.green_u[u[cx]] + t.green_v[v[cx]];
            const int32_t blue = t.blue_u[u[cx]];
            for (int k = 0; k < 2; ++k) {
                const int32_t yy = t.luma[luma[x + k]];
                uint8_t* o = out + 3 * (x + k);
                o[0] = to_byte(yy + red);
                o[1] = to_byte(yy + green);
                o[2] = to_byte(yy + blue);
            }
        }
        if (x < width) decode_pixel(t, luma[x], u[x >> 1], v[x >> 1], out + 3 * x);
    }
}

void rgb_to_y4m(const Image& rgb, const Y4mHeader& header, Y4mFrame& frame) {
    check_image(rgb, header, "RGB to Y4M");
    frame.planes.resize(y4m_frame_bytes(header.width, header.height, header.chroma));
    const Y4mPlanes planes = y4m_planes(header, frame);
    const Encoder encoder{levels_of(header)};
    for (int y = 0; y < header.height; ++y) {
        uint8_t* luma = planes.y + size_t(y) * size_t(header.width);
        for (int x = 0; x < header.width; ++x) luma[x] = encoder.luma(rgb.pixel(x, y));
    }
    const Subsampling sub = subsampling_of(header.chroma);
    if (sub.x == 0) return;
    for (int cy = 0; cy < planes.sizes.chroma_height; ++cy) {
        for (int cx = 0; cx < planes.sizes.chroma_width; ++cx) {
            encode_chroma_sample(rgb, encoder, sub, cx, cy, planes);
        }
    }
}

void update_y4m_where_changed(const Image& decoded, const Image& edited, const Y4mHeader& header,
                              Y4mFrame& frame) {
    check_image(decoded, header, "Y4M frame update (decoded)");
    check_image(edited, header, "Y4M frame update (edited)");
    const Y4mPlanes planes = y4m_planes(header, frame);
    const Encoder encoder{levels_of(header)};
    const Subsampling sub = subsampling_of(header.chroma);
    // Rows are compared whole first: most rows of a frame with one face do not change.
    const size_t row_bytes = decoded.stride();
#pragma omp parallel for schedule(static)
    for (int y = 0; y < header.height; ++y) {
        if (std::memcmp(decoded.pixel(0, y), edited.pixel(0, y), row_bytes) == 0) continue;
        uint8_t* luma = planes.y + size_t(y) * size_t(header.width);
        for (int x = 0; x < header.width; ++x) {
            if (std::memcmp(decoded.pixel(x, y), edited.pixel(x, y), 3) != 0) {
                luma[x] = encoder.luma(edited.pixel(x, y));
            }
        }
    }
    if (sub.x == 0) return;
#pragma omp parallel for schedule(static)
    for (int cy = 0; cy < planes.sizes.chroma_height; ++cy) {
        const int y_begin = cy * sub.y;
        const int y_end = std::min(y_begin + sub.y, header.height);
        bool row_changed = false;
        for (int y = y_begin; y < y_end && !row_changed; ++y) {
            row_changed = std::memcmp(decoded.pixel(0, y), edited.pixel(0, y), row_bytes) != 0;
        }
        if (!row_changed) continue;
        for (int cx = 0; cx < planes.sizes.chroma_width; ++cx) {
            const int x_begin = cx * sub.x;
            const size_t span = size_t(std::min(x_begin + sub.x, header.width) - x_begin) * 3;
            bool changed = false;
            for (int y = y_begin; y < y_end && !changed; ++y) {
                changed =
                    std::memcmp(decoded.pixel(x_begin, y), edited.pixel(x_begin, y), span) != 0;
            }
            if (changed) encode_chroma_sample(edited, encoder, sub, cx, cy, planes);
        }
    }
}

}  // namespace swaprun::pipeline
