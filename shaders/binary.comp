// Broadcasting binary ops (kernels::BinaryOp). Args: count, op, rank, out dims[8],
// a strides[8], b strides[8] (right-aligned to the output, 0 on broadcast axes).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

float apply_op(int op, float a, float b) {
    if (op == 0) return a + b;
    if (op == 1) return a - b;
    if (op == 2) return a * b;
    if (op == 3) return a / b;
    if (op == 4) {
        // GLSL pow is undefined for a < 0; C's pow is defined for integral b.
        if (a < 0.0 && b == floor(b)) {
            float m = pow(-a, b);
            return mod(b, 2.0) == 0.0 ? m : -m;
        }
        return pow(a, b);
    }
    if (op == 5) return a < b ? b : a;
    if (op == 6) return b < a ? b : a;
    return a < 0.0 ? a * b : a;  // 7: PRelu
}

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    int rank = ARG(2);
    uint rest = i, ia = 0u, ib = 0u;
    for (int d = rank - 1; d >= 0; --d) {
        uint dim = uint(ARG(3 + d));
        uint o = rest % dim;
        rest /= dim;
        ia += o * uint(ARG(11 + d));
        ib += o * uint(ARG(19 + d));
    }
    store(i, apply_op(ARG(1), load0(ia), load1(ib)));
}
