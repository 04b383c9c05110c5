// N-d Pad (constant, reflect, edge; negative pads crop). Args: count, rank, mode,
// value, out dims[8], in dims[8], in strides[8], begin[8].
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = LINEAR_GROUP) in;

void main() {
    uint i = linear_index();
    if (i >= uint(ARG(0))) return;
    int rank = ARG(1);
    int mode = ARG(2);
    uint rest = i, offset = 0u;
    for (int d = rank - 1; d >= 0; --d) {
        uint dim = uint(ARG(4 + d));
        int o = int(rest % dim);
        rest /= dim;
        int s = map_index(o - ARG(28 + d), ARG(12 + d), mode);
        if (s < 0) {
            store(i, ARGF(3));
            return;
        }
        offset += uint(s) * uint(ARG(20 + d));
    }
    store(i, load0(offset));
}
