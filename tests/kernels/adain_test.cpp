#include <cmath>
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

AdainParams make_adain(int64_t n, int64_t c, int64_t h, int64_t w) {
    AdainParams p;
    p.batch = n;
    p.channels = c;
    p.height = h;
    p.width = w;
    return p;
}

std::vector<float> run(bool fast, const AdainParams& p, const std::vector<float>& x,
                       const std::vector<float>& scale, const std::vector<float>& shift,
                       const std::vector<float>* residual) {
    std::vector<float> y(x.size(), -777.0f);
    const float* r = residual != nullptr ? residual->data() : nullptr;
    if (fast) {
        adain(p, x.data(), scale.data(), shift.data(), r, y.data());
    } else {
        reference::adain(p, x.data(), scale.data(), shift.data(), r, y.data());
    }
    return y;
}

TEST(AdainReference, KnownVector) {
    // x = [1 2 3 4]: mean 2.5, biased variance 1.25, std sqrt(1.25) = 1.1180340;
    // normalized [-1.3416408, -0.4472136, 0.4472136, 1.3416408]; * 2 + 1.
    AdainParams p = make_adain(1, 1, 2, 2);
    p.epsilon = 0.0f;
    const std::vector<float> x = {1, 2, 3, 4};
    const std::vector<float> expected = {-1.6832816f, 0.1055728f, 1.8944272f, 3.6832816f};
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run(fast, p, x, {2.0f}, {1.0f}, nullptr), expected, 1e-6))
            << (fast ? "fast" : "reference");
    }
}

TEST(AdainReference, EpsilonActivationAndResidual) {
    // eps = 0.75 makes var + eps = 2: normalized = (x - 2.5) / sqrt(2);
    // relu(norm * 1 + 0) + residual 10.
    AdainParams p = make_adain(1, 1, 1, 4);
    p.epsilon = 0.75f;
    p.activation.kind = Activation::Relu;
    const std::vector<float> x = {1, 2, 3, 4};
    const std::vector<float> res = {10, 10, 10, 10};
    const float r2 = std::sqrt(2.0f);
    const std::vector<float> expected = {10.0f, 10.0f, 10.0f + 0.5f / r2, 10.0f + 1.5f / r2};
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run(fast, p, x, {1.0f}, {0.0f}, &res), expected, 1e-6))
            << (fast ? "fast" : "reference");
    }
}

TEST(AdainReference, PerBatchAndBroadcastModulation) {
    // Two batches, one channel of [0 2]: normalized [-1 1] (eps 0).
    AdainParams p = make_adain(2, 1, 1, 2);
    p.epsilon = 0.0f;
    const std::vector<float> x = {0, 2, 0, 2};
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run(fast, p, x, {1.0f, 3.0f}, {0.0f, 5.0f}, nullptr),
                                   {-1, 1, 2, 8}, 1e-6));
        AdainParams pb = p;
        pb.broadcast_batch = true;
        EXPECT_TRUE(close_absolute(run(fast, pb, x, {3.0f}, {5.0f}, nullptr), {2, 8, 2, 8}, 1e-6));
    }
}

TEST(AdainFast, MatchesReferenceOnRandomData) {
    const Activation acts[] = {Activation::None, Activation::Relu,     Activation::LeakyRelu,
                               Activation::Tanh, Activation::TanhUnit, Activation::Sigmoid};
    uint32_t seed = 10;
    for (Activation act : acts) {
        for (bool with_residual : {false, true}) {
            for (bool broadcast : {false, true}) {
                AdainParams p = make_adain(2, 5, 13, 17);
                p.activation = {act, 0.2f};
                p.broadcast_batch = broadcast;
                // An offset mean stresses the variance computation.
                const auto x = random_vector(2 * 5 * 13 * 17, seed++, 99.0f, 101.0f);
                const auto scale = random_vector(broadcast ? 5 : 10, seed++, 0.5f, 2.0f);
                const auto shift = random_vector(broadcast ? 5 : 10, seed++);
                const auto res = random_vector(x.size(), seed++);
                const std::vector<float>* r = with_residual ? &res : nullptr;
                EXPECT_TRUE(close_relative(run(true, p, x, scale, shift, r),
                                           run(false, p, x, scale, shift, r)))
                    << "activation " << static_cast<int>(act) << " residual " << with_residual;
            }
        }
    }
}

TEST(AdainFast, OutputMayAliasResidual) {
    AdainParams p = make_adain(1, 3, 9, 11);
    const auto x = random_vector(3 * 9 * 11, 1);
    const auto scale = random_vector(3, 2);
    const auto shift = random_vector(3, 3);
    auto res = random_vector(x.size(), 4);
    const auto expected = run(false, p, x, scale, shift, &res);
    adain(p, x.data(), scale.data(), shift.data(), res.data(), res.data());
    EXPECT_TRUE(close_relative(res, expected));
}

TEST(AdainFast, DeterministicAcrossThreadCounts) {
    AdainParams p = make_adain(2, 7, 61, 67);
    p.activation.kind = Activation::Tanh;
    const auto x = random_vector(2 * 7 * 61 * 67, 11);
    const auto scale = random_vector(14, 12);
    const auto shift = random_vector(14, 13);
    const auto res = random_vector(x.size(), 14);
    auto go = [&] { return run(true, p, x, scale, shift, &res); };
    const auto one = with_threads(1, go);
    EXPECT_TRUE(bit_identical(one, with_threads(2, go)));
    EXPECT_TRUE(bit_identical(one, with_threads(3, go)));
}

}  // namespace
}  // namespace swaprun::kernels
