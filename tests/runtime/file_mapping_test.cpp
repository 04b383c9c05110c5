// FileMapping: discard_pages (the bytes stay readable, and the resident memory they
// took is given back) and read_at; read_file_in_order, the loader's one pass over a
// file through a reused buffer.
#include "platform/file_mapping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <tuple>
#include <vector>

#include "format/file_pass.h"
#include "test_support.h"
#include "util/error.h"

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

// A file of n bytes of a pattern, written and mapped.
struct PatternFile {
    explicit PatternFile(size_t n) : path(dir.file("pattern.bin")), bytes(n) {
        for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
        write_bytes(path, bytes);
        mapping = platform::FileMapping::open(path);
    }
    TempDir dir;
    std::string path;
    std::vector<uint8_t> bytes;
    platform::FileMapping mapping;
};

TEST(FileMapping, ReadAtCopiesTheFileAndRefusesRangesOutsideIt) {
    const PatternFile file(10000);
    const auto& [bytes, mapping] = std::tie(file.bytes, file.mapping);
    std::vector<uint8_t> got(3001);
    mapping.read_at(6999, got);
    EXPECT_EQ(0, std::memcmp(got.data(), bytes.data() + 6999, got.size()));
    mapping.read_at(10000, std::span<uint8_t>());  // empty, at the end
    try {
        mapping.read_at(7000, got);
        FAIL() << "a read past the end was allowed";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find(file.path), std::string::npos) << e.what();
    }
    EXPECT_THROW(mapping.read_at(UINT64_MAX, got), Error);
}

TEST(FileMapping, ReadAtSeesTheMappedFileAfterARename) {
    TempDir dir;
    const std::string path = dir.file("model.bin");
    write_bytes(path, std::vector<uint8_t>(5000, 1));
    const auto mapping = platform::FileMapping::open(path);
    // A writer replaces the file by renaming a new one over it: both views keep the old.
    write_bytes(dir.file("new.bin"), std::vector<uint8_t>(5000, 2));
    std::filesystem::rename(dir.file("new.bin"), path);
    std::vector<uint8_t> got(5000);
    mapping.read_at(0, got);
    EXPECT_EQ(got, std::vector<uint8_t>(5000, 1));
    EXPECT_EQ(mapping.data()[4999], 1);
}

// Every range arrives whole and right; the hash sink sees each byte once, in order,
// including the gaps, the overlaps counted once, and the end.
TEST(ReadFileInOrder, HandsOverRangesAndHashesEveryByteOnce) {
    const PatternFile file(100003);
    const auto& [bytes, mapping] = std::tie(file.bytes, file.mapping);
    const std::vector<format::ByteRange> wanted = {{0, 64},   {64, 1000},    {500, 700},
                                                   {5000, 0}, {40000, 4096}, {99003, 1000}};
    for (size_t buffer_bytes : {size_t{4096}, size_t{4097}, size_t{200000}}) {
        std::vector<uint8_t> buffer(buffer_bytes);
        std::vector<uint8_t> hashed;
        std::vector<size_t> seen;
        format::read_file_in_order(
            mapping, wanted, buffer,
            [&](uint64_t offset, std::span<const uint8_t> piece) {
                ASSERT_EQ(offset, hashed.size());
                ASSERT_LE(piece.size(), buffer_bytes);
                hashed.insert(hashed.end(), piece.begin(), piece.end());
            },
            [&](size_t i, std::span<const uint8_t> got) {
                seen.push_back(i);
                ASSERT_EQ(got.size(), wanted[i].bytes);
                EXPECT_EQ(0, std::memcmp(got.data(), bytes.data() + wanted[i].offset, got.size()))
                    << "range " << i << ", buffer " << buffer_bytes;
            });
        EXPECT_EQ(hashed, bytes) << "buffer " << buffer_bytes;
        EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3, 4, 5}));
    }
}

TEST(ReadFileInOrder, WithoutAHashReadsOnlyTheRanges) {
    const PatternFile file(9000);
    const auto& [bytes, mapping] = std::tie(file.bytes, file.mapping);
    std::vector<uint8_t> buffer(100);
    const std::vector<format::ByteRange> wanted = {{128, 100}, {8900, 100}};
    int calls = 0;
    format::read_file_in_order(
        mapping, wanted, buffer, nullptr, [&](size_t i, std::span<const uint8_t> got) {
            ++calls;
            EXPECT_EQ(0, std::memcmp(got.data(), bytes.data() + wanted[i].offset, 100));
        });
    EXPECT_EQ(calls, 2);
}

TEST(ReadFileInOrder, RefusesAShortBufferUnsortedRangesAndRangesPastTheEnd) {
    const PatternFile file(9000);
    const auto& mapping = file.mapping;
    std::vector<uint8_t> buffer(100);
    auto ignore = [](size_t, std::span<const uint8_t>) {};
    auto kind_of = [&](std::vector<format::ByteRange> wanted) {
        try {
            format::read_file_in_order(mapping, wanted, buffer, nullptr, ignore);
        } catch (const Error& e) {
            return std::optional<ErrorKind>(e.kind());
        }
        return std::optional<ErrorKind>();
    };
    EXPECT_EQ(kind_of({{0, 101}}), ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of({{200, 10}, {100, 10}}), ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of({{8950, 100}}), ErrorKind::Io);
}

}  // namespace
}  // namespace swaprun::testkit
