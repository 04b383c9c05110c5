#include <gtest/gtest.h>

#include <cstring>

#include "format/byte_order.h"
#include "format/swpk_io.h"
#include "format/swpk_layout.h"
#include "test_support.h"
#include "util/error.h"

namespace {

using namespace swaprun;
using format::SwpkFile;
using testkit::ModelBuilder;
using testkit::TempDir;

void expect_same(const format::ModelDescription& a, const format::ModelDescription& b) {
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        SCOPED_TRACE("tensor " + a.tensors[i].name);
        EXPECT_EQ(a.tensors[i].name, b.tensors[i].name);
        EXPECT_EQ(a.tensors[i].role, b.tensors[i].role);
        EXPECT_EQ(a.tensors[i].shape, b.tensors[i].shape);
        ASSERT_EQ(a.tensors[i].data.size(), b.tensors[i].data.size());
        // A tensor without data has null spans, which memcmp may not be given.
        if (!a.tensors[i].data.empty()) {
            EXPECT_EQ(0, std::memcmp(a.tensors[i].data.data(), b.tensors[i].data.data(),
                                     a.tensors[i].data.size_bytes()));
        }
    }
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.outputs, b.outputs);
    EXPECT_EQ(a.metadata, b.metadata);
    ASSERT_EQ(a.ops.size(), b.ops.size());
    for (size_t k = 0; k < a.ops.size(); ++k) {
        SCOPED_TRACE("op " + a.ops[k].name);
        EXPECT_EQ(a.ops[k].type, b.ops[k].type);
        EXPECT_EQ(a.ops[k].name, b.ops[k].name);
        EXPECT_EQ(a.ops[k].inputs, b.ops[k].inputs);
        EXPECT_EQ(a.ops[k].outputs, b.ops[k].outputs);
        ASSERT_EQ(a.ops[k].attributes.size(), b.ops[k].attributes.size());
        for (const auto& [name, attr] : a.ops[k].attributes) {
            ASSERT_EQ(b.ops[k].attributes.count(name), 1u) << name;
            EXPECT_EQ(attr.ints, b.ops[k].attributes.at(name).ints) << name;
            EXPECT_EQ(attr.floats, b.ops[k].attributes.at(name).floats) << name;
        }
    }
}

TEST(SwpkFormat, RoundTripPreservesEverything) {
    TempDir dir;
    ModelBuilder b = testkit::small_generator();
    // An odd-sized constant, so that the next tensor's offset needs padding.
    b.constant("odd", {3}, {1.0f, 2.0f, 3.0f});
    b.metadata("empty", "");
    const std::string path = dir.file("model.swpk");
    format::write_swpk(b.desc(), path);

    const auto file = SwpkFile::open(path);
    EXPECT_EQ(file->version(), 1u);
    EXPECT_EQ(file->path(), path);
    expect_same(b.desc(), file->model());
    for (const auto& t : file->model().tensors) {
        if (!t.data.empty()) {
            // The mapping is page-aligned, so this checks the in-file offset too.
            EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data.data()) % 64, 0u) << t.name;
        }
    }
    // Nothing but the file itself is left in the directory.
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"model.swpk"});
}

TEST(SwpkFormat, HeaderAndChecksumAreAsSpecified) {
    TempDir dir;
    ModelBuilder b = testkit::small_generator();
    const std::string path = dir.file("model.swpk");
    format::write_swpk(b.desc(), path);
    auto bytes = testkit::read_bytes(path);
    using L = format::FileHeaderLayout;
    ASSERT_GE(bytes.size(), L::kSize);
    EXPECT_EQ(0, std::memcmp(bytes.data(), format::kMagic, 8));
    EXPECT_EQ(format::load<uint32_t>(bytes.data() + L::kVersion), 1u);
    EXPECT_EQ(format::load<uint32_t>(bytes.data() + L::kHeaderSize), 64u);
    EXPECT_EQ(format::load<uint64_t>(bytes.data() + L::kFileSize), bytes.size());
    const uint64_t stored = format::load<uint64_t>(bytes.data() + L::kChecksum);
    std::memset(bytes.data() + L::kChecksum, 0, 8);
    EXPECT_EQ(format::checksum64(bytes.data(), bytes.size()), stored);
    // Every section starts 64-byte aligned.
    const auto table = format::load<uint64_t>(bytes.data() + L::kSectionTable);
    const auto count = format::load<uint32_t>(bytes.data() + L::kSectionCount);
    EXPECT_EQ(count, 5u);
    for (uint32_t i = 0; i < count; ++i) {
        const auto offset = format::load<uint64_t>(bytes.data() + table + 32 * i + 8);
        EXPECT_EQ(offset % 64, 0u);
    }
}

TEST(SwpkFormat, ModelWithoutDataHasNoDataSection) {
    TempDir dir;
    ModelBuilder b;
    const uint32_t x = b.input("x", {4});
    const uint32_t y = b.activation("y", {4});
    b.op(OpType::Unary, "relu", {x}, y).attributes["op"] = testkit::ints({1});
    b.output(y);
    format::write_swpk(b.desc(), dir.file("m.swpk"));
    const auto file = SwpkFile::open(dir.file("m.swpk"));
    expect_same(b.desc(), file->model());
}

TEST(SwpkFormat, FromMemoryNeedsAlignedBytes) {
    TempDir dir;
    ModelBuilder b = testkit::small_generator();
    format::write_swpk(b.desc(), dir.file("m.swpk"));
    const testkit::AlignedBytes aligned(testkit::read_bytes(dir.file("m.swpk")));
    const auto file = SwpkFile::from_memory(aligned.data(), aligned.size(), "memory");
    expect_same(b.desc(), file->model());
    EXPECT_THROW(SwpkFile::from_memory(aligned.data() + 1, aligned.size() - 1, "memory"), Error);
}

TEST(SwpkFormat, FailedWriteLeavesTheOldFileAndNoTemporary) {
    TempDir dir;
    const std::string path = dir.file("model.swpk");
    testkit::write_bytes(path, {'o', 'l', 'd'});
    ModelBuilder b = testkit::small_generator();
    // A constant whose data does not match its shape: rejected before writing.
    b.constant("bad", {2, 2}, {1.0f});
    try {
        format::write_swpk(b.desc(), path);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("'bad'"), std::string::npos) << e.what();
    }
    EXPECT_EQ(testkit::read_bytes(path), (std::vector<uint8_t>{'o', 'l', 'd'}));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"model.swpk"});
}

TEST(SwpkFormat, WriteIntoMissingDirectoryIsAnIoError) {
    TempDir dir;
    ModelBuilder b = testkit::small_generator();
    try {
        format::write_swpk(b.desc(), dir.file("missing/model.swpk"));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find("missing/model.swpk"), std::string::npos);
    }
}

TEST(SwpkFormat, OpenReportsMissingFilesAndDirectories) {
    TempDir dir;
    try {
        SwpkFile::open(dir.file("absent.swpk"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find("absent.swpk"), std::string::npos);
    }
    try {
        SwpkFile::open(dir.path().string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos);
    }
}

}  // namespace
