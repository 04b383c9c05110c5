#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "format/checksum64.h"
#include "format/swpk_io.h"
#include "test_support.h"

namespace {

using swaprun::format::Checksum64;
using swaprun::format::checksum64;

uint64_t of(const std::string& s) {
    return checksum64(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// The published XXH64 (seed 0) vectors: the checksum is XXH64, so a file can be
// verified with any xxHash implementation.
TEST(Checksum64, MatchesPublishedXxh64Vectors) {
    EXPECT_EQ(of(""), 0xEF46DB3751D8E999ULL);
    EXPECT_EQ(of("a"), 0xD24EC4F1A98C6E5BULL);
    EXPECT_EQ(of("abc"), 0x44BC2CF5AD770999ULL);
    EXPECT_EQ(of("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
}

// xxHash's own sanity buffer (bytes from repeated squaring of 2654435761).
TEST(Checksum64, MatchesXxhashSanityBuffer) {
    std::vector<uint8_t> buffer(101);
    uint32_t gen = 2654435761U;
    for (auto& b : buffer) {
        b = static_cast<uint8_t>(gen >> 24);
        gen *= gen;
    }
    EXPECT_EQ(checksum64(buffer.data(), 1), 0x4FCE394CC88952D8ULL);
    EXPECT_EQ(checksum64(buffer.data(), 14), 0xCFFA8DB881BC3A3DULL);
    EXPECT_EQ(checksum64(buffer.data(), buffer.size()), 0x0EAB543384F878ADULL);
}

TEST(Checksum64, IncrementalEqualsOneShotForAnySplit) {
    const auto floats = swaprun::testkit::random_values(300, 7);
    std::vector<uint8_t> bytes(floats.size() * 4);
    std::memcpy(bytes.data(), floats.data(), bytes.size());
    for (size_t size : {0u, 1u, 31u, 32u, 33u, 64u, 100u, 1199u, 1200u}) {
        const uint64_t expected = checksum64(bytes.data(), size);
        for (size_t piece : {1u, 3u, 7u, 31u, 32u, 45u}) {
            Checksum64 c;
            for (size_t at = 0; at < size; at += piece) {
                c.update(bytes.data() + at, std::min(piece, size - at));
            }
            EXPECT_EQ(c.digest(), expected) << "size " << size << " piece " << piece;
        }
    }
}

TEST(Checksum64, EverySingleBitFlipChangesIt) {
    std::vector<uint8_t> bytes(200, 0x5a);
    const uint64_t base = checksum64(bytes.data(), bytes.size());
    for (size_t i = 0; i < bytes.size() * 8; ++i) {
        bytes[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
        EXPECT_NE(checksum64(bytes.data(), bytes.size()), base) << "bit " << i;
        bytes[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    }
}

}  // namespace
