#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::close_absolute;
using testing::close_relative;
using testing::make_shape;
using testing::random_vector;

std::vector<float> run(bool fast, const Shape& s, uint32_t mask, const std::vector<float>& x) {
    Shape out = s;
    for (int d = 0; d < s.rank; ++d) {
        if (mask & (1u << d)) out.dims[d] = 1;
    }
    std::vector<float> y(static_cast<size_t>(out.elements()), -1.0f);
    if (fast) {
        reduce_mean(s, mask, x.data(), y.data());
    } else {
        reference::reduce_mean(s, mask, x.data(), y.data());
    }
    return y;
}

TEST(ReduceMeanReference, KnownValues) {
    const Shape s = make_shape({2, 3});
    const std::vector<float> x = {1, 2, 3, 4, 5, 6};
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run(fast, s, 0b10, x), {2, 5}));
        EXPECT_TRUE(close_absolute(run(fast, s, 0b01, x), {2.5f, 3.5f, 4.5f}));
        EXPECT_TRUE(close_absolute(run(fast, s, 0b11, x), {3.5f}));
        // NCHW mean over H and W.
        const Shape s4 = make_shape({1, 2, 2, 2});
        EXPECT_TRUE(
            close_absolute(run(fast, s4, 0b1100, {1, 2, 3, 4, 10, 20, 30, 40}), {2.5f, 25}));
        // Mean over C only.
        EXPECT_TRUE(close_absolute(run(fast, s4, 0b0010, {1, 2, 3, 4, 10, 20, 30, 40}),
                                   {5.5f, 11, 16.5f, 22}));
    }
}

TEST(ReduceMeanFast, MatchesReferenceOnRandomData) {
    const Shape s = make_shape({3, 5, 7, 11});
    uint32_t seed = 1;
    for (uint32_t mask = 0; mask < 16; ++mask) {
        const auto x = random_vector(s.elements(), seed++);
        EXPECT_TRUE(close_relative(run(true, s, mask, x), run(false, s, mask, x), 1e-5))
            << "mask " << mask;
    }
    const Shape big = make_shape({2, 16, 64, 65});
    const auto x = random_vector(big.elements(), 99, 5.0f, 6.0f);
    EXPECT_TRUE(close_relative(run(true, big, 0b1100, x), run(false, big, 0b1100, x), 1e-6));
}

}  // namespace
}  // namespace swaprun::kernels
