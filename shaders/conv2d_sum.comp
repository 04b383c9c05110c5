// The second half of a convolution split over K (conv2d.comp): adds the parts'
// partial sums in a fixed order, then the bias and the activation.
//   y[i] = activation(sum over p of partial[p * count + i] + bias[channel of i])
// Args: count (outputs), parts, plane (pixels per channel), out_c, has_bias, alpha.
// Inputs: x0 the partial sums, x1 the bias.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;
layout(constant_id = 1) const int ACTIVATION = 0;

void main() {
    const uint i = linear_index();
    const uint count = uint(ARG(0));
    if (i >= count) return;
    float v = 0.0;
    for (int p = 0; p < ARG(1); ++p) v += load0(uint(p) * count + i);
    if (ARG(4) != 0) v += load1((i / uint(ARG(2))) % uint(ARG(3)));
    store(i, activate(v, ACTIVATION, ARGF(5)));
}
