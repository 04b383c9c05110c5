// Transpose. Args: count, rank, out dims[8], strides[8] (the input stride of the axis
// each output axis comes from).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    int rank = ARG(1);
    uint rest = i, offset = 0u;
    for (int d = rank - 1; d >= 0; --d) {
        uint dim = uint(ARG(2 + d));
        offset += (rest % dim) * uint(ARG(10 + d));
        rest /= dim;
    }
    store(i, load0(offset));
}
