// WeightPool: the packed weights of a model share a few large chunks; each piece is
// aligned, pieces never overlap, and the pool's chunks come from the model's allocator.
#include "engine/weight_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "platform/large_pages.h"

namespace swaprun::engine {
namespace {

// Counts what the pool takes from upstream; fails after `limit` chunks.
struct CountingUpstream {
    int chunks = 0;
    int limit = 1000;
    size_t bytes = 0;

    Allocator allocator() {
        Allocator a;
        a.allocate = [](void* user, size_t size, size_t alignment) -> void* {
            auto* self = static_cast<CountingUpstream*>(user);
            if (self->chunks == self->limit) return nullptr;
            ++self->chunks;
            self->bytes += size;
            return std::aligned_alloc(alignment, size);
        };
        a.release = [](void* user, void* p, size_t size) {
            static_cast<CountingUpstream*>(user)->bytes -= size;
            std::free(p);
        };
        a.user = this;
        return a;
    }
};

using Piece = std::pair<uint8_t*, size_t>;

bool overlap(const Piece& a, const Piece& b) {
    return a.first < b.first + b.second && b.first < a.first + a.second;
}

TEST(WeightPool, PiecesAreAlignedDisjointAndShareChunks) {
    CountingUpstream upstream;
    {
        WeightPool pool(upstream.allocator(), 1 << 20);
        const Allocator a = pool.allocator();
        std::vector<Piece> pieces;
        // 3 x 300 KiB fit one 1 MiB chunk; the fourth opens a second.
        for (size_t size : {size_t{300} << 10, size_t{300} << 10, size_t{300} << 10,
                            size_t{300} << 10, size_t{100}, size_t{64}}) {
            auto* p = static_cast<uint8_t*>(a.allocate(a.user, size, 64));
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
            std::memset(p, 0xAB, size);  // writable to its end (ASan checks the chunk)
            pieces.emplace_back(p, size);
        }
        for (size_t i = 0; i < pieces.size(); ++i) {
            for (size_t j = i + 1; j < pieces.size(); ++j) {
                EXPECT_FALSE(overlap(pieces[i], pieces[j])) << i << " and " << j;
            }
        }
        EXPECT_EQ(upstream.chunks, 2);
        EXPECT_EQ(pool.reserved_bytes(), size_t{2} << 20);
        a.release(a.user, pieces[0].first, pieces[0].second);  // does nothing
        EXPECT_EQ(upstream.bytes, size_t{2} << 20);
    }
    EXPECT_EQ(upstream.bytes, 0u);  // the chunks go with the pool
}

TEST(WeightPool, LargePieceGetsItsOwnChunkAndTheCurrentOneStaysInUse) {
    CountingUpstream upstream;
    WeightPool pool(upstream.allocator(), 1 << 20);
    const Allocator a = pool.allocator();
    auto* small = static_cast<uint8_t*>(a.allocate(a.user, 1000, 64));
    auto* large = static_cast<uint8_t*>(a.allocate(a.user, size_t{3} << 20, 64));
    auto* next = static_cast<uint8_t*>(a.allocate(a.user, 1000, 64));
    ASSERT_TRUE(small && large && next);
    EXPECT_EQ(upstream.chunks, 2);
    // The next small piece comes right after the first, in the same chunk.
    EXPECT_EQ(next, small + 1024);
    EXPECT_EQ(pool.reserved_bytes(), (size_t{1} << 20) + (size_t{3} << 20));
}

TEST(WeightPool, UpstreamFailureGivesNullAndBadAlignmentIsRefused) {
    CountingUpstream upstream;
    upstream.limit = 1;
    WeightPool pool(upstream.allocator(), 1 << 20);
    const Allocator a = pool.allocator();
    EXPECT_NE(a.allocate(a.user, 1 << 19, 64), nullptr);
    EXPECT_EQ(a.allocate(a.user, 1 << 20, 64), nullptr);  // a second chunk is refused
    EXPECT_EQ(a.allocate(a.user, 64, 4096), nullptr);     // chunks are 64-byte aligned
    EXPECT_EQ(a.allocate(a.user, 64, 48), nullptr);       // not a power of two
}

TEST(LargePageAllocator, BlocksAreAlignedWritableAndFreed) {
    const Allocator a = platform::large_page_allocator();
    ASSERT_FALSE(a.is_default());
    for (size_t size : {size_t{64}, size_t{1} << 20, (size_t{5} << 20) + 64, size_t{8} << 20}) {
        auto* p = static_cast<uint8_t*>(a.allocate(a.user, size, 64));
        ASSERT_NE(p, nullptr) << size;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
        std::memset(p, 1, size);
        EXPECT_EQ(std::count(p, p + size, 1), static_cast<std::ptrdiff_t>(size));
        a.release(a.user, p, size);
    }
}

}  // namespace
}  // namespace swaprun::engine
