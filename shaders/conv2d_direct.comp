// 2-D convolution, register-tiled without shared memory: each invocation computes
// TILE_M output channels x TILE_N neighbouring pixels of one output row, loading
// TILE_M weights and TILE_N inputs per tap for TILE_M * TILE_N multiply-adds. The loop
// runs over (input channel, kh, kw) with no division, and nothing waits at a barrier.
// For devices that run invocations as CPU SIMD lanes (lavapipe), where the tiled
// shader's barriers and per-element index divisions cost more than the arithmetic;
// conv2d.comp (shared-memory tiles) is the choice for GPUs.
// Args as conv2d.comp, then: word 19 the pixel tiles per row, 20 the channel tiles
// per group. Inputs: x0 input, x1 weight, x2 bias.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;
layout(constant_id = 1) const int ACTIVATION = 0;
// Tile sizes (vulkan::kDirectConvTileM/N); specialization constants so that a device
// can take other sizes without another shader.
layout(constant_id = 2) const int TILE_M = 4;
layout(constant_id = 3) const int TILE_N = 4;
// Register arrays need a size known to the compiler: the largest tile allowed.
#define MAX_TILE 8

void main() {
    const int in_c = ARG(1), in_h = ARG(2), in_w = ARG(3);
    const int out_c = ARG(4), out_h = ARG(5), out_w = ARG(6);
    const int kh_n = ARG(7), kw_n = ARG(8);
    const int stride_h = ARG(9), stride_w = ARG(10);
    const int dilation_h = ARG(11), dilation_w = ARG(12);
    const int groups = ARG(15), mode = ARG(16);
    const int pixel_tiles = ARG(19), channel_tiles = ARG(20);
    const int in_per_group = in_c / groups, out_per_group = out_c / groups;
    const int taps = kh_n * kw_n;
    const int K = in_per_group * taps;

    // Pixels vary fastest: neighbouring invocations read neighbouring inputs and
    // share their weights.
    uint i = linear_index();
    const uint total = uint(ARG(0) * groups * channel_tiles * out_h * pixel_tiles);
    if (i >= total) return;
    const int tile_x = int(i % uint(pixel_tiles));
    i /= uint(pixel_tiles);
    const int oh = int(i % uint(out_h));
    i /= uint(out_h);
    const int tile_c = int(i % uint(channel_tiles));
    i /= uint(channel_tiles);
    const int g = int(i % uint(groups));
    const int n = int(i / uint(groups));

    const int ow0 = tile_x * TILE_N;
    const int row0 = tile_c * TILE_M;  // within the group
    const uint in_base = uint(n * in_c + g * in_per_group) * uint(in_h * in_w);
    // Rows past the group's last channel repeat it (in bounds) and are not stored.
    uint weight_row[MAX_TILE];
    for (int m = 0; m < TILE_M; ++m) {
        weight_row[m] = uint(g * out_per_group + min(row0 + m, out_per_group - 1)) * uint(K);
    }
    const int ih0 = oh * stride_h - ARG(13);
    int iw0[MAX_TILE];
    for (int j = 0; j < TILE_N; ++j) iw0[j] = (ow0 + j) * stride_w - ARG(14);

    float acc[MAX_TILE][MAX_TILE];
    for (int m = 0; m < TILE_M; ++m) {
        for (int j = 0; j < TILE_N; ++j) acc[m][j] = 0.0;
    }
    for (int kh = 0; kh < kh_n; ++kh) {
        const int ih = map_index(ih0 + kh * dilation_h, in_h, mode);
        if (ih < 0) continue;  // a row of constant (zero) padding adds nothing
        for (int kw = 0; kw < kw_n; ++kw) {
            // Per pixel: its input column, or -1 for padding or a pixel past the row.
            int iw[MAX_TILE];
            for (int j = 0; j < TILE_N; ++j) {
                iw[j] = ow0 + j < out_w ? map_index(iw0[j] + kw * dilation_w, in_w, mode) : -1;
            }
            const int tap = kh * kw_n + kw;
            uint x_at = in_base + uint(ih * in_w);
            for (int c = 0; c < in_per_group; ++c) {
                float x[MAX_TILE];
                for (int j = 0; j < TILE_N; ++j) x[j] = iw[j] >= 0 ? load0(x_at + uint(iw[j])) : 0.0;
                const uint k = uint(c * taps + tap);
                for (int m = 0; m < TILE_M; ++m) {
                    const float w = load1(weight_row[m] + k);
                    for (int j = 0; j < TILE_N; ++j) acc[m][j] += w * x[j];
                }
                x_at += uint(in_h * in_w);
            }
        }
    }

    const bool has_bias = ARG(18) != 0;
    const float alpha = ARGF(17);
    const uint plane = uint(out_h * out_w);
    for (int m = 0; m < TILE_M; ++m) {
        if (row0 + m >= out_per_group) break;
        const int oc = g * out_per_group + row0 + m;
        const float bias = has_bias ? load2(uint(oc)) : 0.0;
        const uint out_row = uint(n * out_c + oc) * plane + uint(oh * out_w);
        for (int j = 0; j < TILE_N; ++j) {
            if (ow0 + j < out_w) {
                store(out_row + uint(ow0 + j), activate(acc[m][j] + bias, ACTIVATION, alpha));
            }
        }
    }
}
