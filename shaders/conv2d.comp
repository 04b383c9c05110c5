// 2-D convolution as a register-tiled implicit GEMM, for GPUs: per group,
// output[oc, pixel] = sum over k of weight[oc, k] * patch[k, pixel], k running over
// (input channel, kh, kw); the patch matrix is never materialized. A workgroup of
// 16 x 16 invocations computes a (16 TM) x (16 TN) output tile: each invocation holds
// TM x TN accumulators (rows ly + 16 i, columns lx + 16 j, so that the shared-memory
// reads of a row of invocations are a broadcast and 16 consecutive words). Slices 16
// deep of the weight rows and of the patch are staged in shared memory; each
// invocation loads TM weights and TN patch values per slice.
// A layer with too few tiles to fill the GPU splits K into parts (workgroup z runs
// over planes x parts): each part writes its partial sums, without bias or activation,
// to y[part * outputs + index], and conv2d_sum.comp adds them.
// Args: batch, in_c, in_h, in_w, out_c, out_h, out_w, kh, kw, stride_h, stride_w,
// dilation_h, dilation_w, pad_top, pad_left, groups, pad_mode, alpha, has_bias,
// row_tiles, parts, part depth (a multiple of 16). Inputs: x0 input, x1 weight, x2 bias.
// Built with fp16 arithmetic (SWR_FP16_MATH), the staged slices are fp16 and each
// slice's 16 products are summed in fp16; the slices' sums add up in fp32, since an
// fp16 running sum over thousands of products would lose the small ones.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 16, local_size_y = 16) in;
layout(constant_id = 1) const int ACTIVATION = 0;
// Outputs per invocation (vulkan::TiledConvTile): rows (output channels) and columns
// (pixels), 1, 2 or 4 each.
layout(constant_id = 2) const int TM = 4;
layout(constant_id = 3) const int TN = 4;
#define MAX_T 4
#define BK 16

shared MATH_T As[BK][16 * MAX_T];  // weights: [k][row]
shared MATH_T Bs[BK][16 * MAX_T];  // patch: [k][column]

void main() {
    const int in_c = ARG(1), in_h = ARG(2), in_w = ARG(3);
    const int out_c = ARG(4), out_h = ARG(5), out_w = ARG(6);
    const int kh_n = ARG(7), kw_n = ARG(8);
    const int groups = ARG(15), mode = ARG(16);
    const int in_per_group = in_c / groups, out_per_group = out_c / groups;
    const int taps = kh_n * kw_n;
    const int K = in_per_group * taps;
    const int N = out_h * out_w;
    const int BM = 16 * TM, BN = 16 * TN;
    // Pixel tiles beyond the grid's x limit continue in y, above the row tiles.
    const uint row_tiles = uint(ARG(19));
    const int col_tile =
        int(gl_WorkGroupID.x + gl_NumWorkGroups.x * (gl_WorkGroupID.y / row_tiles));
    const int row_tile = int(gl_WorkGroupID.y % row_tiles);
    const int parts = ARG(20);
    const int plane = int(gl_WorkGroupID.z) / parts, part = int(gl_WorkGroupID.z) % parts;
    const int n = plane / groups, g = plane % groups;
    const int k_begin = part * ARG(21), k_end = min(K, k_begin + ARG(21));
    const int lx = int(gl_LocalInvocationID.x), ly = int(gl_LocalInvocationID.y);
    const int tid = ly * 16 + lx;
    const int row0 = row_tile * BM, col0 = col_tile * BN;
    const uint in_base = uint(n * in_c + g * in_per_group) * uint(in_h * in_w);

    // What this invocation stages per slice. Weights: slice row k = tid % 16 of the
    // tile rows tid / 16 + 16 r (r < TM). Patch: the one column tid % BN (256 is a
    // multiple of BN) at slice rows tid / BN + (256 / BN) r (r < TN).
    const int a_k = tid % BK, a_row = tid / BK;
    const int b_col = tid % BN, b_k = tid / BN, b_k_step = 256 / BN;
    const int pixel = col0 + b_col;
    const bool pixel_in = pixel < N;
    const int oh = pixel / out_w, ow = pixel % out_w;
    const int ih0 = oh * ARG(9) - ARG(13), iw0 = ow * ARG(10) - ARG(14);

    float acc[MAX_T][MAX_T];
    for (int i = 0; i < TM; ++i) {
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.0;
    }
    for (int k0 = k_begin; k0 < k_end; k0 += BK) {
        const int ka = k0 + a_k;
        for (int r = 0; r < TM; ++r) {
            const int row = row0 + a_row + 16 * r;
            As[a_k][a_row + 16 * r] =
                MATH_T((row < out_per_group && ka < k_end)
                           ? load1(uint(g * out_per_group + row) * uint(K) + uint(ka))
                           : 0.0);
        }
        for (int r = 0; r < TN; ++r) {
            const int kk = b_k + b_k_step * r;
            const int kb = k0 + kk;
            float v = 0.0;
            if (kb < k_end && pixel_in) {
                const int c = kb / taps, t = kb % taps;
                const int ih = map_index(ih0 + (t / kw_n) * ARG(11), in_h, mode);
                const int iw = map_index(iw0 + (t % kw_n) * ARG(12), in_w, mode);
                if (ih >= 0 && iw >= 0) v = load0(in_base + uint((c * in_h + ih) * in_w + iw));
            }
            Bs[kk][b_col] = MATH_T(v);
        }
        barrier();
#ifdef SWR_FP16_MATH
        float16_t slice[MAX_T][MAX_T];
        for (int i = 0; i < TM; ++i) {
            for (int j = 0; j < TN; ++j) slice[i][j] = float16_t(0.0);
        }
#endif
        for (int k = 0; k < BK; ++k) {
            MATH_T a[MAX_T], b[MAX_T];
            for (int i = 0; i < TM; ++i) a[i] = As[k][ly + 16 * i];
            for (int j = 0; j < TN; ++j) b[j] = Bs[k][lx + 16 * j];
            for (int i = 0; i < TM; ++i) {
#ifdef SWR_FP16_MATH
                for (int j = 0; j < TN; ++j) slice[i][j] += a[i] * b[j];
#else
                for (int j = 0; j < TN; ++j) acc[i][j] += a[i] * b[j];
#endif
            }
        }
#ifdef SWR_FP16_MATH
        for (int i = 0; i < TM; ++i) {
            for (int j = 0; j < TN; ++j) acc[i][j] += float(slice[i][j]);
        }
#endif
        barrier();
    }

    const bool whole = parts == 1;
    const bool has_bias = whole && ARG(18) != 0;
    const float alpha = ARGF(17);
    const uint part_base = uint(part) * uint(ARG(0) * out_c) * uint(N);
    for (int i = 0; i < TM; ++i) {
        const int row = row0 + ly + 16 * i;
        if (row >= out_per_group) break;
        const int oc = g * out_per_group + row;
        const float bias = has_bias ? load2(uint(oc)) : 0.0;
        const uint out_row = part_base + uint(n * out_c + oc) * uint(N);
        for (int j = 0; j < TN; ++j) {
            const int col = col0 + lx + 16 * j;
            if (col >= N) continue;
            const float v = acc[i][j] + bias;
            store(out_row + uint(col), whole ? activate(v, ACTIVATION, alpha) : v);
        }
    }
}
