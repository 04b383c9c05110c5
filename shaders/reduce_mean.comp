// Mean over a set of axes, one invocation per output element. Args: count, rank,
// reduced (elements per output), out dims[8] (1 on reduced axes), in dims[8],
// in strides[8], axes mask.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    int rank = ARG(1);
    uint mask = uint(ARG(27));
    uint base = 0u, rest = i;
    for (int d = rank - 1; d >= 0; --d) {
        uint dim = uint(ARG(3 + d));
        base += (rest % dim) * uint(ARG(19 + d));
        rest /= dim;
    }
    uint reduced = uint(ARG(2));
    float sum = 0.0;
    for (uint r = 0u; r < reduced; ++r) {
        uint rr = r, offset = base;
        for (int d = rank - 1; d >= 0; --d) {
            if ((mask & (1u << uint(d))) == 0u) continue;
            uint dim = uint(ARG(11 + d));
            offset += (rr % dim) * uint(ARG(19 + d));
            rr /= dim;
        }
        sum += load0(offset);
    }
    store(i, sum / float(reduced));
}
