// Fused instance norm + modulation + activation (+ residual), one workgroup per
// (channel, sample) plane. The statistics are two workgroup tree reductions in shared
// memory (mean, then the centered sum of squares: no cancellation), which assumes
// nothing about the subgroup size.
// Args: channels, plane, epsilon, scale_offset, shift_offset, scale_batch_stride,
// shift_batch_stride, alpha, has_residual. Inputs: x0 input, x1 scale, x2 shift,
// x3 residual (may be the output's own memory).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#define WG 256
layout(local_size_x = WG) in;
layout(constant_id = 1) const int ACTIVATION = 0;

shared float partial[WG];

float workgroup_sum(float v) {
    const uint lid = gl_LocalInvocationID.x;
    partial[lid] = v;
    barrier();
    for (uint s = WG / 2; s > 0u; s >>= 1) {
        if (lid < s) partial[lid] += partial[lid + s];
        barrier();
    }
    const float total = partial[0];
    barrier();  // before the next reduction overwrites partial[]
    return total;
}

void main() {
    const uint c = gl_WorkGroupID.x, n = gl_WorkGroupID.y;
    const uint channels = uint(ARG(0)), plane = uint(ARG(1));
    const uint base = (n * channels + c) * plane;
    const uint lid = gl_LocalInvocationID.x;

    float s = 0.0;
    for (uint i = lid; i < plane; i += WG) s += load0(base + i);
    const float mean = workgroup_sum(s) / float(plane);
    float q = 0.0;
    for (uint i = lid; i < plane; i += WG) {
        const float d = load0(base + i) - mean;
        q += d * d;
    }
    const float var = workgroup_sum(q) / float(plane);
    const float inv_std = inversesqrt(var + ARGF(2));
    const float scale = load1(uint(ARG(3)) + n * uint(ARG(5)) + c) * inv_std;
    const float shift = load2(uint(ARG(4)) + n * uint(ARG(6)) + c);
    const bool residual = ARG(8) != 0;
    for (uint i = lid; i < plane; i += WG) {
        float v = activate((load0(base + i) - mean) * scale + shift, ACTIVATION, ARGF(7));
        if (residual) v += load3(base + i);
        store(base + i, v);
    }
}
