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

TEST(ConcatReference, KnownValues) {
    // [2,1] ++ [2,2] along axis 1.
    const Shape shapes[] = {make_shape({2, 1}), make_shape({2, 2})};
    const std::vector<float> a = {1, 2};
    const std::vector<float> b = {10, 11, 20, 21};
    const float* inputs[] = {a.data(), b.data()};
    for (bool fast : {false, true}) {
        std::vector<float> y(6, -1.0f);
        if (fast) {
            concat(2, shapes, inputs, 1, y.data());
        } else {
            reference::concat(2, shapes, inputs, 1, y.data());
        }
        EXPECT_TRUE(close_absolute(y, {1, 10, 11, 2, 20, 21}));
    }
}

TEST(ConcatFast, MatchesReferenceOnRandomData) {
    for (int axis = 0; axis < 4; ++axis) {
        Shape shapes[3];
        std::vector<float> data[3];
        const float* inputs[3];
        int64_t total = 0;
        for (int t = 0; t < 3; ++t) {
            shapes[t] = make_shape({2, 3, 5, 7});
            shapes[t].dims[axis] = t + 1;
            data[t] = random_vector(shapes[t].elements(), 10 * axis + t);
            inputs[t] = data[t].data();
            total += shapes[t].elements();
        }
        std::vector<float> fast(total, -1.0f), ref(total, -2.0f);
        concat(3, shapes, inputs, axis, fast.data());
        reference::concat(3, shapes, inputs, axis, ref.data());
        EXPECT_TRUE(close_absolute(fast, ref, 0.0)) << "axis " << axis;
    }
}

TEST(TransposeReference, KnownValues) {
    const std::vector<float> x = {1, 2, 3, 4, 5, 6};  // [2,3]
    const int perm[] = {1, 0};
    for (bool fast : {false, true}) {
        std::vector<float> y(6, -1.0f);
        if (fast) {
            transpose(make_shape({2, 3}), perm, x.data(), y.data());
        } else {
            reference::transpose(make_shape({2, 3}), perm, x.data(), y.data());
        }
        EXPECT_TRUE(close_absolute(y, {1, 4, 2, 5, 3, 6}));
    }
}

TEST(TransposeFast, MatchesReferenceOnRandomData) {
    const Shape s = make_shape({2, 3, 5, 7});
    const int perms[][4] = {{0, 1, 2, 3}, {0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0},
                            {1, 0, 2, 3}, {0, 1, 3, 2}, {2, 3, 0, 1}};
    uint32_t seed = 1;
    for (const auto& perm : perms) {
        const auto x = random_vector(s.elements(), seed++);
        std::vector<float> fast(x.size(), -1.0f), ref(x.size(), -2.0f);
        transpose(s, perm, x.data(), fast.data());
        reference::transpose(s, perm, x.data(), ref.data());
        EXPECT_TRUE(close_absolute(fast, ref, 0.0)) << perm[0] << perm[1] << perm[2] << perm[3];
    }
    // Size-1 axes and a large transpose that runs in parallel.
    const Shape t = make_shape({1, 64, 1, 33, 40});
    const int perm5[] = {0, 3, 4, 2, 1};
    const auto x = random_vector(t.elements(), 50);
    std::vector<float> fast(x.size(), -1.0f), ref(x.size(), -2.0f);
    transpose(t, perm5, x.data(), fast.data());
    reference::transpose(t, perm5, x.data(), ref.data());
    EXPECT_TRUE(close_absolute(fast, ref, 0.0));
}

}  // namespace
}  // namespace swaprun::kernels
