// 2-D convolution as an implicit GEMM: per group, output[oc, pixel] = sum over k of
// weight[oc, k] * patch[k, pixel], k running over (input channel, kh, kw). Each
// workgroup computes a 16x16 output tile, staging 16-wide slices of the weight rows
// and of the (never materialized) patch matrix in shared memory.
// Args: batch, in_c, in_h, in_w, out_c, out_h, out_w, kh, kw, stride_h, stride_w,
// dilation_h, dilation_w, pad_top, pad_left, groups, pad_mode, alpha, has_bias,
// row_tiles. Inputs: x0 input, x1 weight, x2 bias.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 16, local_size_y = 16) in;
layout(constant_id = 1) const int ACTIVATION = 0;

// +1 column: the inner loop reads As by row and Bs by column without bank conflicts.
shared float As[16][17];
shared float Bs[16][17];

void main() {
    const int in_c = ARG(1), in_h = ARG(2), in_w = ARG(3);
    const int out_c = ARG(4), out_h = ARG(5), out_w = ARG(6);
    const int kh_n = ARG(7), kw_n = ARG(8);
    const int groups = ARG(15);
    const int in_per_group = in_c / groups, out_per_group = out_c / groups;
    const int taps = kh_n * kw_n;
    const int K = in_per_group * taps;
    const int N = out_h * out_w;
    // Pixel tiles beyond the grid's x limit continue in y, above the row tiles.
    const uint row_tiles = uint(ARG(19));
    const int col_tile =
        int(gl_WorkGroupID.x + gl_NumWorkGroups.x * (gl_WorkGroupID.y / row_tiles));
    const int row_tile = int(gl_WorkGroupID.y % row_tiles);
    const int n = int(gl_WorkGroupID.z) / groups, g = int(gl_WorkGroupID.z) % groups;
    const int lx = int(gl_LocalInvocationID.x), ly = int(gl_LocalInvocationID.y);
    const int col = col_tile * 16 + lx;
    const int row = row_tile * 16 + ly;
    const int oh = col / out_w, ow = col % out_w;
    const int ih0 = oh * ARG(9) - ARG(13), iw0 = ow * ARG(10) - ARG(14);
    const uint in_base = uint(n * in_c + g * in_per_group) * uint(in_h * in_w);
    const uint weight_row = uint(g * out_per_group + row) * uint(K);
    const int mode = ARG(16);

    float acc = 0.0;
    for (int k0 = 0; k0 < K; k0 += 16) {
        const int ka = k0 + lx;
        As[ly][lx] = (row < out_per_group && ka < K) ? load1(weight_row + uint(ka)) : 0.0;
        const int kb = k0 + ly;
        float v = 0.0;
        if (kb < K && col < N) {
            const int c = kb / taps, t = kb % taps;
            const int ih = map_index(ih0 + (t / kw_n) * ARG(11), in_h, mode);
            const int iw = map_index(iw0 + (t % kw_n) * ARG(12), in_w, mode);
            if (ih >= 0 && iw >= 0) v = load0(in_base + uint((c * in_h + ih) * in_w + iw));
        }
        Bs[ly][lx] = v;
        barrier();
        for (int k = 0; k < 16; ++k) acc += As[ly][k] * Bs[k][lx];
        barrier();
    }
    if (row < out_per_group && col < N) {
        const int oc = g * out_per_group + row;
        if (ARG(18) != 0) acc += load2(uint(oc));
        store(uint(n * out_c + oc) * uint(N) + uint(col), activate(acc, ACTIVATION, ARGF(17)));
    }
}
