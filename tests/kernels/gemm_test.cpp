#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::bit_identical;
using testing::close_absolute;
using testing::close_relative;
using testing::random_vector;
using testing::with_threads;

std::vector<float> run(bool fast, const GemmParams& p, const std::vector<float>& a,
                       const std::vector<float>& b, const std::vector<float>* c) {
    std::vector<float> y(static_cast<size_t>(p.m * p.n), -555.0f);
    const float* cp = c != nullptr ? c->data() : nullptr;
    if (fast) {
        gemm(p, a.data(), b.data(), cp, y.data());
    } else {
        reference::gemm(p, a.data(), b.data(), cp, y.data());
    }
    return y;
}

GemmParams make_gemm(int64_t m, int64_t n, int64_t k) {
    GemmParams p;
    p.m = m;
    p.n = n;
    p.k = k;
    return p;
}

// A = [[1 2] [3 4]], B = [[5 6 7] [8 9 10]]: A * B = [[21 24 27] [47 54 61]].
const std::vector<float> kA = {1, 2, 3, 4};
const std::vector<float> kAt = {1, 3, 2, 4};
const std::vector<float> kB = {5, 6, 7, 8, 9, 10};
const std::vector<float> kBt = {5, 8, 6, 9, 7, 10};
const std::vector<float> kAB = {21, 24, 27, 47, 54, 61};

TEST(GemmReference, Transposes) {
    for (bool fast : {false, true}) {
        for (int ta = 0; ta < 2; ++ta) {
            for (int tb = 0; tb < 2; ++tb) {
                GemmParams p = make_gemm(2, 3, 2);
                p.trans_a = ta != 0;
                p.trans_b = tb != 0;
                EXPECT_TRUE(
                    close_absolute(run(fast, p, ta ? kAt : kA, tb ? kBt : kB, nullptr), kAB, 1e-5))
                    << "fast " << fast << " trans_a " << ta << " trans_b " << tb;
            }
        }
    }
}

TEST(GemmReference, BiasBroadcastsAlphaBeta) {
    for (bool fast : {false, true}) {
        GemmParams p = make_gemm(2, 3, 2);
        p.alpha = 2.0f;
        p.beta = 0.5f;
        // Scalar C.
        const std::vector<float> c1 = {100};
        EXPECT_TRUE(close_absolute(run(fast, p, kA, kB, &c1), {92, 98, 104, 144, 158, 172}));
        // Row vector C [1, N].
        p.bias_rows = 1;
        p.bias_cols = 3;
        const std::vector<float> cr = {2, 4, 6};
        EXPECT_TRUE(close_absolute(run(fast, p, kA, kB, &cr), {43, 50, 57, 95, 110, 125}));
        // Column vector C [M, 1].
        p.bias_rows = 2;
        p.bias_cols = 1;
        const std::vector<float> cc = {10, 20};
        EXPECT_TRUE(close_absolute(run(fast, p, kA, kB, &cc), {47, 53, 59, 104, 118, 132}));
        // Full C [M, N].
        p.bias_rows = 2;
        p.bias_cols = 3;
        const std::vector<float> cf = {2, 4, 6, 8, 10, 12};
        EXPECT_TRUE(close_absolute(run(fast, p, kA, kB, &cf), {43, 50, 57, 98, 113, 128}));
    }
}

TEST(GemmReference, ActivationEpilogue) {
    for (bool fast : {false, true}) {
        GemmParams p = make_gemm(2, 3, 2);
        p.alpha = -1.0f;
        p.activation = {Activation::LeakyRelu, 0.5f};
        EXPECT_TRUE(close_absolute(run(fast, p, kA, kB, nullptr),
                                   {-10.5f, -12, -13.5f, -23.5f, -27, -30.5f}));
    }
}

TEST(GemmFast, MatchesReferenceOnRandomData) {
    struct Dims {
        int64_t m, n, k;
    };
    const Dims dims[] = {{1, 1, 1},    {1, 37, 19},  {5, 3, 7},      {13, 131, 29},
                         {1, 300, 64}, {67, 9, 130}, {34, 129, 257}, {3, 8, 4}};
    const Activation acts[] = {Activation::None, Activation::Relu, Activation::Sigmoid};
    uint32_t seed = 1;
    int variant = 0;
    for (const Dims& d : dims) {
        for (int ta = 0; ta < 2; ++ta) {
            for (int tb = 0; tb < 2; ++tb) {
                GemmParams p = make_gemm(d.m, d.n, d.k);
                p.trans_a = ta != 0;
                p.trans_b = tb != 0;
                p.alpha = 0.75f;
                p.beta = 1.5f;
                p.activation.kind = acts[variant % 3];
                // Cycle through the bias shapes: none, scalar, row, column, full.
                const int bias_kind = variant % 5;
                ++variant;
                std::vector<float> c;
                if (bias_kind == 1) c = random_vector(1, seed++);
                if (bias_kind == 2) {
                    p.bias_cols = d.n;
                    c = random_vector(d.n, seed++);
                }
                if (bias_kind == 3) {
                    p.bias_rows = d.m;
                    c = random_vector(d.m, seed++);
                }
                if (bias_kind == 4) {
                    p.bias_rows = d.m;
                    p.bias_cols = d.n;
                    c = random_vector(d.m * d.n, seed++);
                }
                const auto a = random_vector(d.m * d.k, seed++);
                const auto b = random_vector(d.k * d.n, seed++);
                const std::vector<float>* cp = bias_kind == 0 ? nullptr : &c;
                EXPECT_TRUE(close_relative(run(true, p, a, b, cp), run(false, p, a, b, cp)))
                    << "m " << d.m << " n " << d.n << " k " << d.k << " trans_a " << ta
                    << " trans_b " << tb << " bias " << bias_kind;
            }
        }
    }
}

TEST(GemmFast, DeterministicAcrossThreadCounts) {
    GemmParams p = make_gemm(150, 260, 300);
    p.trans_b = true;
    const auto a = random_vector(150 * 300, 3);
    const auto b = random_vector(260 * 300, 4);
    auto go = [&] { return run(true, p, a, b, nullptr); };
    const auto one = with_threads(1, go);
    EXPECT_TRUE(bit_identical(one, with_threads(2, go)));
    EXPECT_TRUE(bit_identical(one, with_threads(3, go)));
    // A single row (a matrix-vector product) splits over columns.
    GemmParams q = make_gemm(1, 2048, 512);
    const auto qa = random_vector(512, 5);
    const auto qb = random_vector(512 * 2048, 6);
    for (bool tb : {false, true}) {
        q.trans_b = tb;  // a transposed B takes the dot-product schedule
        auto go_q = [&] { return run(true, q, qa, qb, nullptr); };
        const auto q1 = with_threads(1, go_q);
        EXPECT_TRUE(bit_identical(q1, with_threads(2, go_q)));
        EXPECT_TRUE(bit_identical(q1, with_threads(3, go_q)));
    }
}

}  // namespace
}  // namespace swaprun::kernels
