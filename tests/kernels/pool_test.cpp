// Pooling: the reference against values worked by hand, the fast kernel against the
// reference over the shapes the SCRFD replica and ONNX's pooling variants use.
#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::close_absolute;
using testing::random_vector;

Pool2dParams pool(PoolKind kind, int64_t channels, int64_t h, int64_t w, int64_t k, int64_t s,
                  int64_t pad, int64_t out_h, int64_t out_w, bool include_pad = false) {
    Pool2dParams p;
    p.batch = 1;
    p.channels = channels;
    p.in_height = h;
    p.in_width = w;
    p.out_height = out_h;
    p.out_width = out_w;
    p.kernel_h = p.kernel_w = k;
    p.stride_h = p.stride_w = s;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.kind = kind;
    p.count_include_pad = include_pad;
    return p;
}

std::vector<float> run(bool fast, const Pool2dParams& p, const std::vector<float>& x) {
    std::vector<float> y(static_cast<size_t>(p.batch * p.channels * p.out_height * p.out_width),
                         -7.0f);
    if (fast) {
        pool2d(p, x.data(), y.data());
    } else {
        reference::pool2d(p, x.data(), y.data());
    }
    return y;
}

// 3x3 input 1..9.
const std::vector<float> k3x3 = {1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(Pool2d, MaxAndAverageByHand) {
    for (bool fast : {false, true}) {
        // 2x2 stride 1, no padding.
        EXPECT_TRUE(close_absolute(run(fast, pool(PoolKind::Max, 1, 3, 3, 2, 1, 0, 2, 2), k3x3),
                                   {5, 6, 8, 9}));
        EXPECT_TRUE(close_absolute(run(fast, pool(PoolKind::Average, 1, 3, 3, 2, 1, 0, 2, 2), k3x3),
                                   {3, 4, 6, 7}));
        // 2x2 stride 2 with ceil_mode's extra window: the last window holds only the
        // input's last row/column (count_include_pad off: divided by the cells present).
        EXPECT_TRUE(close_absolute(run(fast, pool(PoolKind::Average, 1, 3, 3, 2, 2, 0, 2, 2), k3x3),
                                   {3, 4.5f, 7.5f, 9}));
        // 3x3 stride 1 pad 1: corners see 4 cells; with count_include_pad, divided by 9.
        const auto avg = run(fast, pool(PoolKind::Average, 1, 3, 3, 3, 1, 1, 3, 3), k3x3);
        EXPECT_NEAR(avg[0], (1 + 2 + 4 + 5) / 4.0f, 1e-6f);
        EXPECT_NEAR(avg[4], 5.0f, 1e-6f);
        const auto incl = run(fast, pool(PoolKind::Average, 1, 3, 3, 3, 1, 1, 3, 3, true), k3x3);
        EXPECT_NEAR(incl[0], (1 + 2 + 4 + 5) / 9.0f, 1e-6f);
        // Max ignores the padding even where every present value is negative.
        std::vector<float> negative(k3x3.size());
        for (size_t i = 0; i < k3x3.size(); ++i) negative[i] = -k3x3[i];
        EXPECT_EQ(run(fast, pool(PoolKind::Max, 1, 3, 3, 3, 1, 1, 3, 3), negative)[0], -1.0f);
    }
}

TEST(Pool2d, FastMatchesReference) {
    struct Case {
        Pool2dParams p;
        const char* what;
    };
    const Case cases[] = {
        {pool(PoolKind::Max, 7, 160, 160, 2, 2, 0, 80, 80), "SCRFD stem 2x2 s2"},
        {pool(PoolKind::Average, 14, 80, 80, 2, 2, 0, 40, 40), "SCRFD shortcut 2x2 s2"},
        {pool(PoolKind::Average, 5, 41, 39, 2, 2, 0, 21, 20), "odd sizes, ceil_mode windows"},
        {pool(PoolKind::Max, 3, 33, 35, 3, 2, 1, 17, 18), "3x3 s2 pad 1"},
        {pool(PoolKind::Average, 3, 33, 35, 3, 2, 1, 17, 18, true), "count_include_pad"},
        {pool(PoolKind::Average, 2, 12, 12, 5, 3, 2, 4, 4), "5x5 s3 pad 2"},
    };
    uint32_t seed = 7;
    for (const Case& c : cases) {
        Pool2dParams p = c.p;
        p.batch = 2;
        const auto x = random_vector(p.batch * p.channels * p.in_height * p.in_width, seed++);
        EXPECT_TRUE(close_absolute(run(true, p, x), run(false, p, x), 1e-6)) << c.what;
    }
}

}  // namespace
}  // namespace swaprun::kernels
