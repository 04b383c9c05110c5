#include "kernels/weight_prefetch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace swaprun::kernels {
namespace {

// The shares of `calls` calls, in order, cover every line of the stream once, each
// within it, and differ in size by at most one line.
void expect_even_cover(int64_t bytes, int64_t calls) {
    std::vector<char> stream(static_cast<size_t>(bytes));
    const Prefetch whole = Prefetch::of(stream.data(), bytes);
    ASSERT_EQ(whole.lines, bytes / Prefetch::kLine);
    const char* next = stream.data();
    int64_t smallest = whole.lines, largest = 0;
    for (int64_t call = 0; call < calls; ++call) {
        const Prefetch part = whole.share(calls, call);
        EXPECT_EQ(part.first, next) << bytes << " bytes, call " << call << " of " << calls;
        EXPECT_GE(part.lines, 0);
        next += part.lines * Prefetch::kLine;
        smallest = std::min(smallest, part.lines);
        largest = std::max(largest, part.lines);
    }
    EXPECT_EQ(next, stream.data() + whole.lines * Prefetch::kLine) << bytes << " bytes";
    EXPECT_LE(largest - smallest, 1) << bytes << " bytes over " << calls << " calls";
}

TEST(WeightPrefetch, SharesCoverTheStreamInOrder) {
    expect_even_cover(9 * 192 * 8 * 4, 12);  // a live_base block's next kernels: 864 lines
    expect_even_cover(192 * 8 * 4, 2);       // one slice of U over two columns
    expect_even_cover(5 * 64, 12);           // fewer lines than calls: some fetch none
    expect_even_cover(64 * 7 + 40, 3);       // a partial last line is left out
}

}  // namespace
}  // namespace swaprun::kernels
