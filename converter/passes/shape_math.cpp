#include "converter/passes/shape_math.h"

#include "util/error.h"
#include "util/limits.h"

namespace swaprun::convert {

int64_t element_count(const Dims& dims) {
    int64_t n = 1;
    for (int64_t d : dims) {
        // Unknown (negative) dimensions keep their old meaning; only overflow is refused.
        if (d > 0 && n > limits::kMaxOnnxShapeElements / d) {
            throw Error(ErrorKind::Format,
                        "shape " + format_dims(dims) + " has more than 2^40 elements");
        }
        n *= d;
    }
    return n;
}

std::string format_dims(const Dims& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(dims[i]);
    }
    return s + "]";
}

Dims broadcast_shapes(const Dims& a, const Dims& b, const std::string& what) {
    const size_t rank = std::max(a.size(), b.size());
    Dims out(rank);
    for (size_t i = 0; i < rank; ++i) {
        int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1) {
            throw Error(ErrorKind::Format, what + ": shapes " + format_dims(a) + " and " +
                                               format_dims(b) + " do not broadcast");
        }
        out[i] = da == 1 ? db : da;
    }
    return out;
}

int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& what) {
    if (axis < -rank || axis >= rank) {
        throw Error(ErrorKind::Format, what + ": axis " + std::to_string(axis) +
                                           " is out of range for rank " + std::to_string(rank));
    }
    return axis < 0 ? axis + rank : axis;
}

Dims strides_of(const Dims& dims) {
    Dims s(dims.size(), 1);
    for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
    return s;
}

std::vector<int64_t> broadcast_indices(const Dims& out, const Dims& in) {
    const size_t rank = out.size();
    Dims in_full(rank, 1);
    for (size_t i = 0; i < in.size(); ++i) in_full[rank - in.size() + i] = in[i];
    Dims in_strides = strides_of(in_full);
    for (size_t i = 0; i < rank; ++i) {
        if (in_full[i] == 1) in_strides[i] = 0;
    }
    const int64_t count = element_count(out);
    if (count > limits::kMaxFoldedElements) {
        throw Error(ErrorKind::Unsupported,
                    "a constant of shape " + format_dims(out) +
                        " is too large to compute at conversion time (over " +
                        std::to_string(limits::kMaxFoldedElements) + " elements)");
    }
    std::vector<int64_t> index(count);
    Dims pos(rank, 0);
    for (int64_t flat = 0; flat < count; ++flat) {
        int64_t at = 0;
        for (size_t i = 0; i < rank; ++i) at += pos[i] * in_strides[i];
        index[flat] = at;
        for (size_t i = rank; i-- > 0;) {
            if (++pos[i] < out[i]) break;
            pos[i] = 0;
        }
    }
    return index;
}

}  // namespace swaprun::convert
