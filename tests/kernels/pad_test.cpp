#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::close_absolute;
using testing::make_shape;
using testing::random_vector;

std::vector<float> run(bool fast, const PadParams& p, const std::vector<float>& x) {
    int64_t n = 1;
    for (int d = 0; d < p.in_shape.rank; ++d) n *= p.in_shape.dims[d] + p.begin[d] + p.end[d];
    std::vector<float> y(static_cast<size_t>(n), -1.0f);
    if (fast) {
        pad(p, x.data(), y.data());
    } else {
        reference::pad(p, x.data(), y.data());
    }
    return y;
}

PadParams make_pad(Shape s, std::vector<int64_t> begin, std::vector<int64_t> end, PadMode mode,
                   float value = 0.0f) {
    PadParams p;
    p.in_shape = s;
    for (size_t i = 0; i < begin.size(); ++i) {
        p.begin[i] = begin[i];
        p.end[i] = end[i];
    }
    p.mode = mode;
    p.value = value;
    return p;
}

TEST(PadReference, OneDimensional) {
    const std::vector<float> x = {1, 2, 3};
    const Shape s = make_shape({3});
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run(fast, make_pad(s, {2}, {2}, PadMode::Reflect), x),
                                   {3, 2, 1, 2, 3, 2, 1}));
        EXPECT_TRUE(close_absolute(run(fast, make_pad(s, {2}, {2}, PadMode::Edge), x),
                                   {1, 1, 1, 2, 3, 3, 3}));
        EXPECT_TRUE(close_absolute(run(fast, make_pad(s, {2}, {1}, PadMode::Constant, 9), x),
                                   {9, 9, 1, 2, 3, 9}));
        // Negative begin crops.
        EXPECT_TRUE(
            close_absolute(run(fast, make_pad(s, {-1}, {1}, PadMode::Constant, 7), x), {2, 3, 7}));
    }
}

TEST(PadReference, TwoDimensionalReflect) {
    // [[1 2] [3 4]] reflect-padded by 1 on every side.
    const std::vector<float> x = {1, 2, 3, 4};
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(
            run(fast, make_pad(make_shape({2, 2}), {1, 1}, {1, 1}, PadMode::Reflect), x),
            {4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1}));
    }
}

TEST(PadFast, MatchesReferenceOnRandomData) {
    const Shape s = make_shape({2, 3, 7, 9});
    const PadMode modes[] = {PadMode::Constant, PadMode::Reflect, PadMode::Edge};
    const std::vector<std::vector<int64_t>> begins = {
        {0, 0, 3, 3}, {0, 1, 0, 2}, {0, 0, -2, 1}, {1, 0, 2, -3}};
    const std::vector<std::vector<int64_t>> ends = {
        {0, 0, 3, 3}, {1, 0, 2, 0}, {0, 0, 1, -1}, {0, 2, -1, 4}};
    uint32_t seed = 1;
    for (PadMode m : modes) {
        for (size_t i = 0; i < begins.size(); ++i) {
            const PadParams p = make_pad(s, begins[i], ends[i], m, 0.5f);
            const auto x = random_vector(s.elements(), seed++);
            EXPECT_TRUE(close_absolute(run(true, p, x), run(false, p, x), 0.0))
                << "mode " << static_cast<int>(m) << " case " << i;
        }
    }
}

}  // namespace
}  // namespace swaprun::kernels
