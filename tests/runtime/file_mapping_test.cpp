// FileMapping::discard_pages: the bytes stay readable, and the resident memory they
// took is given back (what keeps a loaded model's weights from counting twice).
#include "platform/file_mapping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include "test_support.h"

namespace swaprun::testkit {
namespace {

// This process's resident set in bytes (Linux: /proc/self/statm, in pages).
uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t size_pages = 0, resident_pages = 0;
    statm >> size_pages >> resident_pages;
    return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

TEST(FileMapping, DiscardedPagesLeaveResidentMemoryAndReadBackUnchanged) {
    if (!std::ifstream("/proc/self/statm")) GTEST_SKIP() << "no /proc/self/statm to read the RSS";
    TempDir dir;
    const std::string path = dir.file("pattern.bin");
    constexpr size_t kBytes = size_t{32} << 20;
    std::vector<uint8_t> pattern(kBytes);
    for (size_t i = 0; i < kBytes; ++i) pattern[i] = static_cast<uint8_t>(i * 2654435761u >> 24);
    write_bytes(path, pattern);

    const auto mapping = platform::FileMapping::open(path);
    ASSERT_EQ(mapping.size(), kBytes);
    ASSERT_EQ(0, std::memcmp(mapping.data(), pattern.data(), kBytes));  // every page touched
    const uint64_t before = resident_bytes();
    mapping.discard_pages(mapping.data(), mapping.size());
    const uint64_t after = resident_bytes();
    EXPECT_GE(before, after + kBytes * 3 / 4) << "before " << before << ", after " << after;

    EXPECT_EQ(0, std::memcmp(mapping.data(), pattern.data(), kBytes));
}

TEST(FileMapping, DiscardOutsideTheMappingIsIgnored) {
    TempDir dir;
    const std::string path = dir.file("small.bin");
    const std::vector<uint8_t> bytes(10000, 7);
    write_bytes(path, bytes);
    const auto mapping = platform::FileMapping::open(path);
    mapping.discard_pages(bytes.data(), bytes.size());            // not in the mapping
    mapping.discard_pages(mapping.data() + 100, mapping.size());  // runs past its end
    mapping.discard_pages(mapping.data() + 10, 20);               // no whole page inside
    for (size_t i = 0; i < bytes.size(); ++i) ASSERT_EQ(mapping.data()[i], 7) << i;
}

}  // namespace
}  // namespace swaprun::testkit
