// Naive ONNX Gemm with an activation epilogue.
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {

void gemm(const GemmParams& p, const float* a, const float* b, const float* c, float* y) {
    for (int64_t i = 0; i < p.m; ++i) {
        for (int64_t j = 0; j < p.n; ++j) {
            double sum = 0.0;
            for (int64_t k = 0; k < p.k; ++k) {
                const double av = p.trans_a ? a[k * p.m + i] : a[i * p.k + k];
                const double bv = p.trans_b ? b[j * p.k + k] : b[k * p.n + j];
                sum += av * bv;
            }
            double v = static_cast<double>(p.alpha) * sum;
            if (c != nullptr) {
                v += static_cast<double>(p.beta) *
                     c[(i % p.bias_rows) * p.bias_cols + (j % p.bias_cols)];
            }
            y[i * p.n + j] = static_cast<float>(detail::activate(v, p.activation));
        }
    }
}

}  // namespace swaprun::kernels::reference
