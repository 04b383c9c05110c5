// Helpers shared by the kernel tests.
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <vector>

#include "kernels/kernel_types.h"

namespace swaprun::kernels::testing {

inline Shape make_shape(std::initializer_list<int64_t> dims) {
    Shape s;
    for (int64_t d : dims) s.dims[s.rank++] = d;
    return s;
}

inline std::vector<float> random_vector(int64_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = dist(rng);
    return v;
}

inline double max_abs(const std::vector<float>& v) {
    double m = 0.0;
    for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
    return m;
}

// Asserts max |actual - expected| <= rel * max(|expected|, 1e-3).
inline ::testing::AssertionResult close_relative(const std::vector<float>& actual,
                                                 const std::vector<float>& expected,
                                                 double rel = 1e-5) {
    if (actual.size() != expected.size()) {
        return ::testing::AssertionFailure()
               << "size " << actual.size() << " vs " << expected.size();
    }
    const double tol = rel * std::max(max_abs(expected), 1e-3);
    double worst = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < actual.size(); ++i) {
        const double d = std::fabs(static_cast<double>(actual[i]) - expected[i]);
        if (!(d <= worst)) {  // also catches NaN
            worst = d;
            at = i;
            if (std::isnan(d)) break;
        }
    }
    if (!(worst <= tol)) {
        return ::testing::AssertionFailure()
               << "max abs diff " << worst << " at " << at << " (actual " << actual[at]
               << ", expected " << expected[at] << ") exceeds " << tol;
    }
    return ::testing::AssertionSuccess();
}

// Asserts |actual[i] - expected[i]| <= tol for every element.
inline ::testing::AssertionResult close_absolute(const std::vector<float>& actual,
                                                 const std::vector<float>& expected,
                                                 double tol = 1e-5) {
    if (actual.size() != expected.size()) {
        return ::testing::AssertionFailure()
               << "size " << actual.size() << " vs " << expected.size();
    }
    for (size_t i = 0; i < actual.size(); ++i) {
        const double d = std::fabs(static_cast<double>(actual[i]) - expected[i]);
        if (!(d <= tol)) {
            return ::testing::AssertionFailure()
                   << "element " << i << ": " << actual[i] << " vs expected " << expected[i];
        }
    }
    return ::testing::AssertionSuccess();
}

inline bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Runs f() with the OpenMP thread count set to n, restoring it afterwards.
template <typename F>
auto with_threads(int n, F f) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(n);
    auto result = f();
    omp_set_num_threads(saved);
    return result;
}

}  // namespace swaprun::kernels::testing
