// ONNX Resize of the last two axes of NCHW, as kernels/reference/resize.cpp: each
// output coordinate maps to a source coordinate (in float), which selects 1, 2 or 4
// clamped taps per axis. One invocation per output element.
// Args: count, in_h, in_w, out_h, out_w, scale_h, scale_w, mode, coordinates,
// nearest, cubic_a, exclude_outside.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

struct Taps {
    int count;
    int index[4];
    float weight[4];
};

float source_coordinate(int x, float scale, int in_len, int out_len) {
    const float xf = float(x);
    const int coords = ARG(8);
    if (coords == 0) return (xf + 0.5) / scale - 0.5;
    if (coords == 1) return out_len > 1 ? (xf + 0.5) / scale - 0.5 : 0.0;
    if (coords == 2) {
        const float len = float(in_len) * scale;
        return out_len == 1 || len <= 1.0 ? 0.0 : xf * float(in_len - 1) / (len - 1.0);
    }
    if (coords == 3) return xf / scale;
    return (xf + 0.5) / scale;
}

Taps axis_taps(int x, float scale, int in_len, int out_len) {
    const float src = source_coordinate(x, scale, in_len, out_len);
    const float fl = floor(src);
    const int base = int(fl);
    const float ratio = src - fl;
    const int mode = ARG(7);
    Taps t;
    t.index = int[4](0, 0, 0, 0);
    t.weight = float[4](0.0, 0.0, 0.0, 0.0);
    if (mode == 0) {
        int i = base;
        if (ratio > 0.0) {
            const int rounding = ARG(9);
            if (rounding == 0) i = ratio <= 0.5 ? base : base + 1;
            else if (rounding == 1) i = ratio < 0.5 ? base : base + 1;
            else if (rounding == 3) i = base + 1;
        }
        t.count = 1;
        t.index[0] = clamp(i, 0, in_len - 1);
        t.weight[0] = 1.0;
    } else if (mode == 1) {
        t.count = 2;
        t.index[0] = clamp(base, 0, in_len - 1);
        t.index[1] = clamp(base + 1, 0, in_len - 1);
        t.weight[0] = 1.0 - ratio;
        t.weight[1] = ratio;
    } else {
        const float a = ARGF(10);
        const float r = ratio, s = 1.0 - ratio;
        t.count = 4;
        t.weight[0] = ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a;
        t.weight[1] = ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0;
        t.weight[2] = ((a + 2.0) * s - (a + 3.0)) * s * s + 1.0;
        t.weight[3] = ((a * (s + 1.0) - 5.0 * a) * (s + 1.0) + 8.0 * a) * (s + 1.0) - 4.0 * a;
        const bool exclude = ARG(11) != 0;
        float kept = 0.0;
        for (int k = 0; k < 4; ++k) {
            const int i = base - 1 + k;
            if (exclude && (i < 0 || i >= in_len)) t.weight[k] = 0.0;
            kept += t.weight[k];
            t.index[k] = clamp(i, 0, in_len - 1);
        }
        if (exclude && kept != 0.0) {
            for (int k = 0; k < 4; ++k) t.weight[k] /= kept;
        }
    }
    return t;
}

void main() {
    const uint e = linear_index();
    if (e >= uint(ARG(0))) return;
    const int in_h = ARG(1), in_w = ARG(2), out_h = ARG(3), out_w = ARG(4);
    const uint plane = e / uint(out_h * out_w);
    const int rest = int(e % uint(out_h * out_w));
    const int y = rest / out_w, x = rest % out_w;
    const Taps ty = axis_taps(y, ARGF(5), in_h, out_h);
    const Taps tx = axis_taps(x, ARGF(6), in_w, out_w);
    const uint in_base = plane * uint(in_h * in_w);
    float sum = 0.0;
    for (int i = 0; i < ty.count; ++i) {
        for (int j = 0; j < tx.count; ++j) {
            sum += ty.weight[i] * tx.weight[j] *
                   load0(in_base + uint(ty.index[i] * in_w + tx.index[j]));
        }
    }
    store(e, sum);
}
