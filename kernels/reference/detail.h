// Helpers shared by the reference kernels (not part of the public interface).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/kernel_types.h"

namespace swaprun::kernels::reference::detail {

// Maps a possibly out-of-range index onto [0, n), or returns -1 where the read
// must produce the padding constant.
inline int64_t map_index(int64_t i, int64_t n, PadMode mode) {
    if (i >= 0 && i < n) return i;
    switch (mode) {
        case PadMode::Constant:
            return -1;
        case PadMode::Edge:
            return i < 0 ? 0 : n - 1;
        case PadMode::Reflect: {
            if (n == 1) return 0;
            const int64_t period = 2 * (n - 1);
            int64_t r = i % period;
            if (r < 0) r += period;
            return r < n ? r : period - r;
        }
    }
    return -1;
}

inline double activate(double x, const ActivationParams& act) {
    switch (act.kind) {
        case Activation::None:
            return x;
        case Activation::Relu:
            return x > 0.0 ? x : 0.0;
        case Activation::LeakyRelu:
            return x < 0.0 ? static_cast<double>(act.alpha) * x : x;
        case Activation::Tanh:
            return std::tanh(x);
        case Activation::TanhUnit:
            return (std::tanh(x) + 1.0) / 2.0;
        case Activation::Sigmoid:
            return 1.0 / (1.0 + std::exp(-x));
    }
    return x;
}

// Row-major strides of a shape.
inline void strides_of(const Shape& s, int64_t* strides) {
    int64_t acc = 1;
    for (int i = s.rank - 1; i >= 0; --i) {
        strides[i] = acc;
        acc *= s.dims[i];
    }
}

}  // namespace swaprun::kernels::reference::detail
