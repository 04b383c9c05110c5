#include "pipeline/similarity_transform.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "pipeline/face_template.h"
#include "util/error.h"

namespace swaprun::pipeline {
namespace {

Affine2 similarity(double scale, double angle, double tx, double ty) {
    Affine2 m;
    m.a = scale * std::cos(angle);
    m.b = -scale * std::sin(angle);
    m.d = scale * std::sin(angle);
    m.e = scale * std::cos(angle);
    m.c = tx;
    m.f = ty;
    return m;
}

void expect_affine_near(const Affine2& got, const Affine2& want, double tol) {
    EXPECT_NEAR(got.a, want.a, tol);
    EXPECT_NEAR(got.b, want.b, tol);
    EXPECT_NEAR(got.c, want.c, tol);
    EXPECT_NEAR(got.d, want.d, tol);
    EXPECT_NEAR(got.e, want.e, tol);
    EXPECT_NEAR(got.f, want.f, tol);
}

const std::vector<Point2> kSrc = {
    {203.0, 101.5}, {246.0, 102.5}, {224.5, 126.0}, {205.0, 141.5}, {242.0, 141.0}};

TEST(SimilarityTransform, RecoversAnExactSimilarity) {
    const Affine2 truth = similarity(0.37, 0.6, -12.5, 40.25);
    std::vector<Point2> dst;
    for (const Point2& p : kSrc) dst.push_back(truth.apply(p));
    expect_affine_near(estimate_similarity(kSrc, dst), truth, 1e-12);
}

TEST(SimilarityTransform, TwoPointsAreFitExactly) {
    const std::vector<Point2> src = {{0, 0}, {10, 0}};
    const std::vector<Point2> dst = {{5, 5}, {5, 15}};  // rotate 90 degrees, shift
    const Affine2 m = estimate_similarity(src, dst);
    expect_affine_near(m, similarity(1.0, M_PI / 2, 5, 5), 1e-12);
}

// For M = [[a, -b, c], [b, a, f]] the least-squares optimum has zero gradient of
// sum |M p_i - q_i|^2 in (a, b, c, f): these are the normal equations.
void expect_normal_equations(const Affine2& m, const std::vector<Point2>& src,
                             const std::vector<Point2>& dst) {
    EXPECT_NEAR(m.a, m.e, 1e-12);
    EXPECT_NEAR(m.b, -m.d, 1e-12);
    double ga = 0, gb = 0, gc = 0, gf = 0;
    for (size_t i = 0; i < src.size(); ++i) {
        const Point2 r = m.apply(src[i]);
        const double rx = r.x - dst[i].x;
        const double ry = r.y - dst[i].y;
        ga += rx * src[i].x + ry * src[i].y;
        gb += -rx * src[i].y + ry * src[i].x;
        gc += rx;
        gf += ry;
    }
    EXPECT_NEAR(ga, 0.0, 1e-7);
    EXPECT_NEAR(gb, 0.0, 1e-7);
    EXPECT_NEAR(gc, 0.0, 1e-9);
    EXPECT_NEAR(gf, 0.0, 1e-9);
}

TEST(SimilarityTransform, NoisyPointsMeetTheNormalEquations) {
    const FivePoints t = arcface_template(128);
    const std::vector<Point2> dst(t.begin(), t.end());
    const Affine2 m = estimate_similarity(kSrc, dst);
    expect_normal_equations(m, kSrc, dst);

    // The same fit as the complex least squares q = c p + t (a proper similarity is
    // multiplication by a complex number), computed here independently:
    // c = sum conj(p - mean p) (q - mean q) / sum |p - mean p|^2.
    std::complex<double> ms, md;
    for (size_t i = 0; i < kSrc.size(); ++i) {
        ms += std::complex<double>(kSrc[i].x, kSrc[i].y) / 5.0;
        md += std::complex<double>(dst[i].x, dst[i].y) / 5.0;
    }
    std::complex<double> num;
    double den = 0;
    for (size_t i = 0; i < kSrc.size(); ++i) {
        const auto p = std::complex<double>(kSrc[i].x, kSrc[i].y) - ms;
        const auto q = std::complex<double>(dst[i].x, dst[i].y) - md;
        num += std::conj(p) * q;
        den += std::norm(p);
    }
    const std::complex<double> c = num / den;
    const std::complex<double> shift = md - c * ms;
    expect_affine_near(
        m, Affine2{c.real(), -c.imag(), shift.real(), c.imag(), c.real(), shift.imag()}, 1e-10);
    // And the same numbers from Python (complex arithmetic as above, run once by hand):
    // c = 0.9136836991189567-0.021204957842549013j, t = -143.32796430827042-35.273442089556966j
    EXPECT_NEAR(m.a, 0.9136836991189567, 1e-12);
    EXPECT_NEAR(m.d, -0.021204957842549013, 1e-12);
    EXPECT_NEAR(m.c, -143.32796430827042, 1e-9);
    EXPECT_NEAR(m.f, -35.273442089556966, 1e-9);
}

TEST(SimilarityTransform, MirroredPointsGiveAProperRotation) {
    // dst is src mirrored in x plus a little skew: the best reflection-free fit.
    std::vector<Point2> dst;
    for (const Point2& p : kSrc) dst.push_back({-p.x + 0.1 * p.y, p.y});
    const Affine2 m = estimate_similarity(kSrc, dst);
    EXPECT_GT(m.a * m.e - m.b * m.d, 0.0);
    expect_normal_equations(m, kSrc, dst);
}

TEST(SimilarityTransform, DegenerateInputsAreRefused) {
    const std::vector<Point2> same = {{1, 1}, {1, 1}, {1, 1}};
    EXPECT_THROW(estimate_similarity(same, kSrc), Error);
    EXPECT_THROW(estimate_similarity(std::vector<Point2>{{1, 1}}, std::vector<Point2>{{2, 2}}),
                 Error);
    EXPECT_THROW(estimate_similarity(kSrc, same), Error);
    // Exact mirror images: no rotation fits better than any other.
    // (A mirror image with unequal spreads in x and y still has a best rotation.)
    const std::vector<Point2> src = {{-1, 0}, {1, 0}, {0, 1}, {0, -1}};
    const std::vector<Point2> mirrored = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    EXPECT_THROW(estimate_similarity(src, mirrored), Error);
}

TEST(SimilarityTransform, InverseComposesToIdentity) {
    const Affine2 m = similarity(2.5, -1.1, 100, -3);
    const Affine2 inv = invert(m);
    for (const Point2& p : kSrc) {
        const Point2 back = inv.apply(m.apply(p));
        EXPECT_NEAR(back.x, p.x, 1e-10);
        EXPECT_NEAR(back.y, p.y, 1e-10);
    }
    EXPECT_THROW(invert(Affine2{1, 2, 0, 2, 4, 0}), Error);
}

TEST(FaceTemplate, ScalesAsEstimateNorm) {
    const FivePoints t112 = arcface_template(112);
    const FivePoints t224 = arcface_template(224);
    const FivePoints t128 = arcface_template(128);
    const FivePoints t512 = arcface_template(512);
    for (size_t i = 0; i < 5; ++i) {
        const Point2 p = kArcFaceTemplate112[i];
        EXPECT_DOUBLE_EQ(t112[i].x, p.x);
        EXPECT_DOUBLE_EQ(t224[i].x, 2 * p.x);
        EXPECT_DOUBLE_EQ(t224[i].y, 2 * p.y);
        EXPECT_DOUBLE_EQ(t128[i].x, p.x + 8);
        EXPECT_DOUBLE_EQ(t128[i].y, p.y);
        EXPECT_DOUBLE_EQ(t512[i].x, 4 * p.x + 32);
        EXPECT_DOUBLE_EQ(t512[i].y, 4 * p.y);
    }
    EXPECT_DOUBLE_EQ(t128[0].x, 46.2946);  // insightface's 128 template, left eye
    EXPECT_DOUBLE_EQ(t512[1].y, 206.0056);
    EXPECT_THROW(arcface_template(100), Error);
    EXPECT_THROW(arcface_template(0), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
