// Naive broadcasting binary ops and elementwise unary ops.
#include <cmath>
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {
namespace {

double apply_binary(BinaryOp op, double a, double b) {
    switch (op) {
        case BinaryOp::Add:
            return a + b;
        case BinaryOp::Sub:
            return a - b;
        case BinaryOp::Mul:
            return a * b;
        case BinaryOp::Div:
            return a / b;
        case BinaryOp::Pow:
            return std::pow(a, b);
        case BinaryOp::Max:
            return a < b ? b : a;
        case BinaryOp::Min:
            return b < a ? b : a;
        case BinaryOp::PRelu:
            return a < 0.0 ? a * b : a;
    }
    return 0.0;
}

double apply_unary(UnaryOp op, float alpha, double x) {
    switch (op) {
        case UnaryOp::Identity:
            return x;
        case UnaryOp::Relu:
            return x > 0.0 ? x : 0.0;
        case UnaryOp::LeakyRelu:
            return x < 0.0 ? static_cast<double>(alpha) * x : x;
        case UnaryOp::Tanh:
            return std::tanh(x);
        case UnaryOp::TanhUnit:
            return (std::tanh(x) + 1.0) / 2.0;
        case UnaryOp::Sigmoid:
            return 1.0 / (1.0 + std::exp(-x));
        case UnaryOp::Sqrt:
            return std::sqrt(x);
        case UnaryOp::Neg:
            return -x;
        case UnaryOp::Abs:
            return std::fabs(x);
        case UnaryOp::Exp:
            return std::exp(x);
        case UnaryOp::Log:
            return std::log(x);
    }
    return x;
}

// Offset into an operand of shape `s` (right-aligned against the output rank) of
// the output element with multi-index `idx`; broadcast axes contribute nothing.
int64_t broadcast_offset(const Shape& s, const int64_t* idx, int out_rank) {
    int64_t offset = 0;
    int64_t stride = 1;
    for (int d = s.rank - 1; d >= 0; --d) {
        const int od = out_rank - s.rank + d;
        if (s.dims[d] != 1) offset += idx[od] * stride;
        stride *= s.dims[d];
    }
    return offset;
}

}  // namespace

void binary(BinaryOp op, const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
            const Shape& out_shape, float* output) {
    const int64_t total = out_shape.elements();
    int64_t idx[kMaxRank] = {};
    for (int64_t e = 0; e < total; ++e) {
        // Decompose the flat output index.
        int64_t rest = e;
        for (int d = out_shape.rank - 1; d >= 0; --d) {
            idx[d] = rest % out_shape.dims[d];
            rest /= out_shape.dims[d];
        }
        const double av = a[broadcast_offset(a_shape, idx, out_shape.rank)];
        const double bv = b[broadcast_offset(b_shape, idx, out_shape.rank)];
        output[e] = static_cast<float>(apply_binary(op, av, bv));
    }
}

void unary(UnaryOp op, float alpha, int64_t count, const float* input, float* output) {
    for (int64_t i = 0; i < count; ++i) {
        output[i] = static_cast<float>(apply_unary(op, alpha, input[i]));
    }
}

}  // namespace swaprun::kernels::reference
