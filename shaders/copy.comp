// Block copy: Reshape (one block) and one input of a Concat (a block per index of the
// axes before the concatenation axis). Args: total, block, out_row, out_start:
//   y[(i / block) * out_row + out_start + i % block] = x0[i]
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    uint block = uint(ARG(1));
    store((i / block) * uint(ARG(2)) + uint(ARG(3)) + i % block, load0(i));
}
