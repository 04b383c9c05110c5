// 2-D max / average pooling (kernels::Pool2dParams). Args: count, kind, count_include_pad,
// in_h, in_w, out_h, out_w, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left,
// pad_bottom, pad_right. One invocation per output element.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    int in_h = ARG(3), in_w = ARG(4), out_h = ARG(5), out_w = ARG(6);
    int ox = int(i % uint(out_w));
    int oy = int((i / uint(out_w)) % uint(out_h));
    uint plane = i / uint(out_w * out_h);
    int wy0 = oy * ARG(9) - ARG(11), wx0 = ox * ARG(10) - ARG(12);
    int wy1 = min(wy0 + ARG(7), in_h + ARG(13)), wx1 = min(wx0 + ARG(8), in_w + ARG(14));
    int y0 = max(wy0, 0), y1 = min(wy1, in_h), x0 = max(wx0, 0), x1 = min(wx1, in_w);
    uint base = plane * uint(in_h * in_w);
    bool is_max = ARG(1) == 0;
    float acc = is_max ? -3.402823466e38 : 0.0;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            float v = load0(base + uint(y * in_w + x));
            acc = is_max ? max(acc, v) : acc + v;
        }
    }
    if (!is_max) {
        int cells = ARG(2) != 0 ? (wy1 - wy0) * (wx1 - wx0) : (y1 - y0) * (x1 - x0);
        acc /= float(cells);
    }
    store(i, acc);
}
