// Elementwise unary ops (kernels::UnaryOp). Args: count, op, alpha.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    int op = ARG(1);
    float x = load0(i);
    float r = x;
    if (op >= 1 && op <= 5) {
        r = activate(x, op, ARGF(2));  // the activation codes match UnaryOp's 1..5
    } else if (op == 6) {
        r = sqrt(x);
    } else if (op == 7) {
        r = -x;
    } else if (op == 8) {
        r = abs(x);
    } else if (op == 9) {
        r = exp(x);
    } else if (op == 10) {
        r = log(x);
    }
    store(i, r);
}
