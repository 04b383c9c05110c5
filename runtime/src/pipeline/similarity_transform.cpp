#include "pipeline/similarity_transform.h"

#include <cmath>
#include <string>

#include "util/error.h"

namespace swaprun::pipeline {

Affine2 invert(const Affine2& m) {
    const double det = m.a * m.e - m.b * m.d;
    if (!(std::abs(det) > 0.0) || !std::isfinite(det)) {
        throw Error(ErrorKind::InvalidArgument, "affine transform is not invertible");
    }
    Affine2 r;
    r.a = m.e / det;
    r.b = -m.b / det;
    r.d = -m.d / det;
    r.e = m.a / det;
    r.c = -(r.a * m.c + r.b * m.f);
    r.f = -(r.d * m.c + r.e * m.f);
    return r;
}

Affine2 estimate_similarity(std::span<const Point2> src, std::span<const Point2> dst) {
    if (src.size() != dst.size() || src.size() < 2) {
        throw Error(ErrorKind::InvalidArgument,
                    "similarity fit needs two or more point pairs, got " +
                        std::to_string(src.size()) + " and " + std::to_string(dst.size()));
    }
    const double n = static_cast<double>(src.size());
    Point2 src_mean;
    Point2 dst_mean;
    for (size_t i = 0; i < src.size(); ++i) {
        src_mean.x += src[i].x / n;
        src_mean.y += src[i].y / n;
        dst_mean.x += dst[i].x / n;
        dst_mean.y += dst[i].y / n;
    }
    // Umeyama: A = dst_demean^T * src_demean / n, and the total source variance.
    double a00 = 0.0, a01 = 0.0, a10 = 0.0, a11 = 0.0, variance = 0.0;
    for (size_t i = 0; i < src.size(); ++i) {
        const double sx = src[i].x - src_mean.x;
        const double sy = src[i].y - src_mean.y;
        const double dx = dst[i].x - dst_mean.x;
        const double dy = dst[i].y - dst_mean.y;
        a00 += dx * sx / n;
        a01 += dx * sy / n;
        a10 += dy * sx / n;
        a11 += dy * sy / n;
        variance += (sx * sx + sy * sy) / n;
    }
    // In 2-D the SVD of A has a closed form: with E = (a00+a11)/2, F = (a00-a11)/2,
    // G = (a10+a01)/2, H = (a10-a01)/2, Q = hypot(E,H), R = hypot(F,G),
    // A = Rot(phi) diag(Q+R, Q-R) Rot(theta) with phi+theta = atan2(H,E) and
    // det A = Q^2 - R^2. skimage's sign vector d = (1, sign det A) then cancels the
    // sign of the second singular value in every case (full rank or rank one), so its
    // rotation U diag(d) V is Rot(atan2(H,E)) and its scale (S . d) / variance is
    // 2Q / variance: the conformal part of A, as the complex least-squares fit gives.
    const double e_half = 0.5 * (a00 + a11);
    const double h_half = 0.5 * (a10 - a01);
    const double f_half = 0.5 * (a00 - a11);
    const double g_half = 0.5 * (a10 + a01);
    const double q = std::hypot(e_half, h_half);
    const double r = std::hypot(f_half, g_half);
    const double largest = q + r;
    if (!(variance > 0.0) || !(largest > 0.0) || !std::isfinite(largest)) {
        throw Error(ErrorKind::InvalidArgument, "similarity fit: degenerate point set");
    }
    // Relative to the largest singular value: below this the fit has no rotation to
    // speak of (mirror-image point sets) and the matrix would be singular.
    if (q <= 1e-12 * largest) {
        throw Error(ErrorKind::InvalidArgument,
                    "similarity fit: point sets are mirror images, no rotation fits");
    }
    const double scale = 2.0 * q / variance;
    const double cos_t = e_half / q;
    const double sin_t = h_half / q;

    Affine2 m;
    m.a = scale * cos_t;
    m.b = -scale * sin_t;
    m.d = scale * sin_t;
    m.e = scale * cos_t;
    m.c = dst_mean.x - (m.a * src_mean.x + m.b * src_mean.y);
    m.f = dst_mean.y - (m.d * src_mean.x + m.e * src_mean.y);
    return m;
}

}  // namespace swaprun::pipeline
