// Y[M,N] = act(alpha * op(A) * op(B) + beta * C), one invocation per output element
// (the generators' Gemms are the small style projections).
// Args: m, n, k, trans_a, trans_b, alpha, beta, bias_rows, bias_cols, has_bias,
// activation alpha. Inputs: x0 A, x1 B, x2 C.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;
layout(constant_id = 1) const int ACTIVATION = 0;

void main() {
    const uint e = linear_index();
    const uint m = uint(ARG(0)), n = uint(ARG(1)), k = uint(ARG(2));
    if (e >= m * n) return;
    const uint i = e / n, j = e % n;
    const bool ta = ARG(3) != 0, tb = ARG(4) != 0;
    float acc = 0.0;
    for (uint t = 0u; t < k; ++t) {
        const float a = load0(ta ? t * m + i : i * k + t);
        const float b = load1(tb ? j * k + t : t * n + j);
        acc += a * b;
    }
    acc *= ARGF(5);
    if (ARG(9) != 0) {
        const uint rows = uint(ARG(7)), cols = uint(ARG(8));
        acc += ARGF(6) * load2((i % rows) * cols + (j % cols));
    }
    store(e, activate(acc, ACTIVATION, ARGF(10)));
}
