// Winograd minimal filtering matrices by Cook-Toom interpolation, computed at compile
// time in double: F(Out, Taps) computes Out outputs of a Taps-tap correlation from
// Out + Taps - 1 inputs with as many multiplications,
//   y = AT [(G g) . (BT d)],  d: Out + Taps - 1 inputs, g: Taps taps, y: Out outputs,
// with AT = V_Out^T and G = V_Taps (Vandermonde rows of the points, infinity's row
// picking the highest power) and BT = inverse(V_n)^T. Each row of BT is scaled to a
// largest entry of 1 and G's row by the inverse, so that the transformed inputs keep
// the inputs' range.
#pragma once

namespace swaprun::kernels::cook_toom {

template <int Out, int Taps>
struct Transforms {
    static constexpr int kPoints = Out + Taps - 1;
    double bt[kPoints][kPoints];  // V = BT d
    double g[kPoints][Taps];      // U = G g
    double at[Out][kPoints];      // y = AT M
};

namespace detail {

constexpr double abs_of(double x) { return x < 0 ? -x : x; }

constexpr double power(double x, int n) {
    double r = 1.0;
    for (int i = 0; i < n; ++i) r *= x;
    return r;
}

}  // namespace detail

// The matrices for the finite points `points` and infinity (the last point).
template <int Out, int Taps>
constexpr Transforms<Out, Taps> make(const double (&points)[Out + Taps - 2]) {
    using detail::abs_of;
    using detail::power;
    constexpr int n = Out + Taps - 1;
    Transforms<Out, Taps> t{};
    // V: row i holds the powers of point i; infinity's row picks the highest power.
    double v[n][2 * n] = {};
    for (int i = 0; i < n - 1; ++i) {
        for (int k = 0; k < n; ++k) v[i][k] = power(points[i], k);
    }
    v[n - 1][n - 1] = 1.0;
    for (int i = 0; i < n; ++i) v[i][n + i] = 1.0;
    // Gauss-Jordan with partial pivoting: v becomes [I | inverse(V)].
    for (int col = 0; col < n; ++col) {
        int pivot = col;
        for (int r = col + 1; r < n; ++r) {
            if (abs_of(v[r][col]) > abs_of(v[pivot][col])) pivot = r;
        }
        for (int k = 0; k < 2 * n; ++k) {
            const double s = v[col][k];
            v[col][k] = v[pivot][k];
            v[pivot][k] = s;
        }
        const double d = v[col][col];
        for (int k = 0; k < 2 * n; ++k) v[col][k] /= d;
        for (int r = 0; r < n; ++r) {
            if (r == col || v[r][col] == 0.0) continue;
            const double f = v[r][col];
            for (int k = 0; k < 2 * n; ++k) v[r][k] -= f * v[col][k];
        }
    }
    for (int i = 0; i < n; ++i) {
        // BT row i = column i of inverse(V), scaled to a largest entry of 1; G's row i
        // carries the scale. Entries below 1e-12 are rounding left by the elimination
        // of an exact zero: they are made zeros, which the kernels then skip.
        double largest = 0.0;
        for (int k = 0; k < n; ++k)
            largest = abs_of(v[k][n + i]) > largest ? abs_of(v[k][n + i]) : largest;
        for (int k = 0; k < n; ++k) {
            const double x = v[k][n + i] / largest;
            t.bt[i][k] = abs_of(x) < 1e-12 ? 0.0 : x;
        }
        for (int k = 0; k < Taps; ++k) {
            t.g[i][k] = (i < n - 1 ? power(points[i], k) : (k == Taps - 1 ? 1.0 : 0.0)) * largest;
        }
        for (int j = 0; j < Out; ++j) {
            t.at[j][i] = i < n - 1 ? power(points[i], j) : (j == Out - 1 ? 1.0 : 0.0);
        }
    }
    return t;
}

}  // namespace swaprun::kernels::cook_toom
