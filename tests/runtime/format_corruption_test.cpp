// A damaged or hostile .swpk must be rejected with an Error, never crash, hang or
// allocate absurd amounts. Each test starts from a valid file and damages it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "engine/loaded_model.h"
#include "exec/cpu_context.h"
#include "format/byte_order.h"
#include "format/swpk_io.h"
#include "format/swpk_layout.h"
#include "test_support.h"
#include "util/error.h"

namespace {

using namespace swaprun;
using format::FileHeaderLayout;
using format::load;
using format::store;
using format::SwpkFile;

class SwpkCorruption : public ::testing::Test {
  protected:
    void SetUp() override {
        testkit::ModelBuilder b = testkit::small_generator();
        format::write_swpk(b.desc(), dir_.file("model.swpk"));
        valid_ = testkit::read_bytes(dir_.file("model.swpk"));
    }

    // Offset and size of a section of `valid_`.
    std::pair<uint64_t, uint64_t> section(format::SectionKind kind) const {
        const auto table = load<uint64_t>(valid_.data() + FileHeaderLayout::kSectionTable);
        const auto count = load<uint32_t>(valid_.data() + FileHeaderLayout::kSectionCount);
        for (uint32_t i = 0; i < count; ++i) {
            const uint8_t* e = valid_.data() + table + 32 * i;
            if (load<uint32_t>(e) == static_cast<uint32_t>(kind)) {
                return {load<uint64_t>(e + 8), load<uint64_t>(e + 16)};
            }
        }
        throw std::runtime_error("no such section");
    }

    // Loads bytes through the whole loading path; returns the error text, or "" when
    // the bytes load. Anything but swaprun::Error escaping fails the test.
    static std::string load_error(const std::vector<uint8_t>& bytes, bool verify_checksum,
                                  bool also_run = false) {
        const testkit::AlignedBytes aligned(bytes);
        format::ReadOptions options;
        options.verify_checksum = verify_checksum;
        try {
            auto model = engine::LoadedModel::from_file(
                SwpkFile::from_memory(aligned.data(), aligned.size(), "mem.swpk", options));
            if (also_run && model->plan().arena_bytes < (64u << 20)) {
                exec::CpuContext context(model, 1);
                for (uint32_t i : model->description().inputs) {
                    const auto& t = model->description().tensors[i];
                    std::vector<float> zeros(static_cast<size_t>(t.elements()), 0.5f);
                    context.set_input(t.name, zeros.data(), zeros.size());
                }
                context.run();
            }
            return "";
        } catch (const Error& e) {
            return e.what();
        }
    }

    // Writes fields and recomputes the checksum, so that only structural validation
    // stands between the damage and the runtime.
    static void reseal(std::vector<uint8_t>& bytes) {
        std::memset(bytes.data() + FileHeaderLayout::kChecksum, 0, 8);
        store(bytes.data() + FileHeaderLayout::kChecksum,
              format::checksum64(bytes.data(), bytes.size()));
    }

    template <class T>
    std::string patched_error(uint64_t offset, T value) const {
        std::vector<uint8_t> bytes = valid_;
        store(bytes.data() + offset, value);
        reseal(bytes);
        return load_error(bytes, true);
    }

    uint64_t tensor_record(uint32_t index) const {
        return section(format::SectionKind::Tensors).first + 4 + 88 * uint64_t{index};
    }

    testkit::TempDir dir_;
    std::vector<uint8_t> valid_;
};

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

TEST_F(SwpkCorruption, ValidFileLoads) { EXPECT_EQ(load_error(valid_, true, true), ""); }

TEST_F(SwpkCorruption, EveryTruncationIsRejected) {
    for (size_t length = 0; length < valid_.size(); ++length) {
        const std::vector<uint8_t> cut(valid_.begin(), valid_.begin() + length);
        const std::string error = load_error(cut, false);
        ASSERT_NE(error, "") << "length " << length;
        if (length >= 64) {
            EXPECT_CONTAINS(error, "truncated");
        }
    }
}

TEST_F(SwpkCorruption, TruncatedFileOnDiskNamesPathAndSizes) {
    const std::string path = dir_.file("cut.swpk");
    testkit::write_bytes(path, std::vector<uint8_t>(valid_.begin(), valid_.begin() + 500));
    try {
        SwpkFile::open(path);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format);
        EXPECT_CONTAINS(e.what(), path);
        EXPECT_CONTAINS(e.what(), "truncated");
        EXPECT_CONTAINS(e.what(), std::to_string(valid_.size()));
    }
}

TEST_F(SwpkCorruption, EveryBitFlipIsCaughtByTheChecksum) {
    for (size_t offset = 0; offset < valid_.size(); ++offset) {
        std::vector<uint8_t> bytes = valid_;
        bytes[offset] ^= static_cast<uint8_t>(1u << (offset % 8));
        ASSERT_NE(load_error(bytes, true), "") << "offset " << offset;
    }
}

TEST_F(SwpkCorruption, DataFlipsReportChecksumMismatch) {
    const auto [data, size] = section(format::SectionKind::Data);
    for (uint64_t offset = data; offset < data + size; offset += 37) {
        std::vector<uint8_t> bytes = valid_;
        bytes[offset] ^= 0x10;
        EXPECT_CONTAINS(load_error(bytes, true), "checksum mismatch: the file is corrupted");
    }
}

// Without the checksum, structural validation alone must keep every flip safe:
// each either fails with an Error or yields a model that loads and runs.
TEST_F(SwpkCorruption, BitFlipsWithoutChecksumNeverCrash) {
    const uint64_t data_start = section(format::SectionKind::Data).first;
    for (size_t offset = 0; offset < data_start; ++offset) {
        for (int bit : {0, 3, 7}) {
            std::vector<uint8_t> bytes = valid_;
            bytes[offset] ^= static_cast<uint8_t>(1u << bit);
            load_error(bytes, false, true);
        }
    }
}

TEST_F(SwpkCorruption, RandomGarbageWithoutChecksumNeverCrashes) {
    std::mt19937 rng(1234);
    const uint64_t data_start = section(format::SectionKind::Data).first;
    for (int trial = 0; trial < 3000; ++trial) {
        std::vector<uint8_t> bytes = valid_;
        const int changes = 1 + static_cast<int>(rng() % 8);
        for (int c = 0; c < changes; ++c) {
            const size_t at = rng() % data_start;
            // Bytes that make large or boundary values likely.
            static constexpr uint8_t kValues[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0x40, 0x08};
            bytes[at] =
                (rng() % 2) ? kValues[rng() % sizeof(kValues)] : static_cast<uint8_t>(rng());
        }
        load_error(bytes, false, true);
    }
}

TEST_F(SwpkCorruption, OtherVersionSaysSo) {
    std::vector<uint8_t> bytes = valid_;
    store<uint32_t>(bytes.data() + FileHeaderLayout::kVersion, 2);
    EXPECT_CONTAINS(load_error(bytes, true), "format version 2, this build reads version 1");
}

TEST_F(SwpkCorruption, NotASwpkSaysSo) {
    const std::string text = "ir_version: 8\nproducer_name: \"pytorch\"\n";
    const std::vector<uint8_t> bytes(text.begin(), text.end());
    EXPECT_CONTAINS(load_error(bytes, true), "not a .swpk file");
    EXPECT_CONTAINS(load_error({}, true), "not a .swpk file");
    const std::string path = dir_.file("model.onnx");
    testkit::write_bytes(path, bytes);
    try {
        SwpkFile::open(path);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format);
        EXPECT_CONTAINS(e.what(), path + ": not a .swpk file");
    }
}

TEST_F(SwpkCorruption, TrailingBytesAreRejected) {
    std::vector<uint8_t> bytes = valid_;
    bytes.push_back(0);
    EXPECT_CONTAINS(load_error(bytes, false), "trailing");
}

TEST_F(SwpkCorruption, SectionTableProblemsAreNamed) {
    const auto table = load<uint64_t>(valid_.data() + FileHeaderLayout::kSectionTable);
    EXPECT_CONTAINS(patched_error<uint64_t>(FileHeaderLayout::kSectionTable, 1ull << 60),
                    "section table");
    EXPECT_CONTAINS(patched_error<uint32_t>(FileHeaderLayout::kSectionCount, 0xffffffff),
                    "section count");
    // Entry 0 (Strings): beyond the file, overlapping the header, unaligned, unknown kind.
    EXPECT_CONTAINS(patched_error<uint64_t>(table + 16, 1ull << 62), "not inside the file");
    EXPECT_CONTAINS(patched_error<uint64_t>(table + 8, 0), "overlaps");
    EXPECT_CONTAINS(
        patched_error<uint64_t>(table + 8, load<uint64_t>(valid_.data() + table + 8) + 4),
        "not 64-byte aligned");
    EXPECT_CONTAINS(patched_error<uint32_t>(table, 99), "unknown kind 99");
    // Two Strings sections: the second replaces the Graph entry, so also "missing".
    EXPECT_CONTAINS(patched_error<uint32_t>(table + 64, 1), "appears twice");
    // Overlapping sections: Tensors moved onto Strings.
    EXPECT_CONTAINS(
        patched_error<uint64_t>(table + 32 + 8, load<uint64_t>(valid_.data() + table + 8)),
        "overlaps");
}

TEST_F(SwpkCorruption, TensorRecordProblemsNameTheTensor) {
    // Tensor 0 is the input "target"; tensor 2 the first constant (see small_generator).
    const uint64_t target = tensor_record(0);
    EXPECT_CONTAINS(patched_error<uint8_t>(target + 7, 9), "tensor 0 'target'");
    EXPECT_CONTAINS(patched_error<uint8_t>(target + 7, 9), "rank 9");
    EXPECT_CONTAINS(patched_error<int64_t>(target + 8, 0), "dimension 0 is 0");
    EXPECT_CONTAINS(patched_error<int64_t>(target + 8, -5), "dimension 0 is -5");
    EXPECT_CONTAINS(patched_error<int64_t>(target + 8, 1ll << 40), "elements");
    EXPECT_CONTAINS(patched_error<uint8_t>(target + 4, 7), "unknown role 7");
    EXPECT_CONTAINS(patched_error<uint8_t>(target + 5, 1), "unknown data type");
    EXPECT_CONTAINS(patched_error<uint8_t>(target + 6, 3), "unknown data layout");
    EXPECT_CONTAINS(patched_error<uint64_t>(target + 72, 64), "has a data range");
    EXPECT_CONTAINS(patched_error<uint32_t>(target + 0, 1u << 30), "name reference");

    uint32_t constant = 0;
    testkit::ModelBuilder b = testkit::small_generator();
    while (b.desc().tensors[constant].role != format::TensorRole::Constant) ++constant;
    const uint64_t rec = tensor_record(constant);
    const auto data_offset = load<uint64_t>(valid_.data() + rec + 72);
    const auto data_bytes = load<uint64_t>(valid_.data() + rec + 80);
    EXPECT_CONTAINS(patched_error<uint64_t>(rec + 72, data_offset + 4), "not 64-byte aligned");
    EXPECT_CONTAINS(patched_error<uint64_t>(rec + 72, 0), "outside the Data section");
    EXPECT_CONTAINS(patched_error<uint64_t>(rec + 72, ~0ull - 63), "outside the Data section");
    EXPECT_CONTAINS(patched_error<uint64_t>(rec + 80, data_bytes + 4), "data size");
    EXPECT_CONTAINS(patched_error<uint64_t>(rec + 80, ~0ull), "data size");
}

TEST_F(SwpkCorruption, HugeCountsAreRejectedBeforeAllocating) {
    const auto tensors = section(format::SectionKind::Tensors).first;
    EXPECT_CONTAINS(patched_error<uint32_t>(tensors, 0xffffffff), "tensor count");
    const auto graph = section(format::SectionKind::Graph).first;
    EXPECT_CONTAINS(patched_error<uint32_t>(graph, 0xfffffff0), "graph input count");
    const auto metadata = section(format::SectionKind::Metadata).first;
    EXPECT_CONTAINS(patched_error<uint32_t>(metadata, 0x7fffffff), "metadata count");
}

TEST_F(SwpkCorruption, StringsWithoutTerminatorAreRejected) {
    const auto [strings, size] = section(format::SectionKind::Strings);
    std::vector<uint8_t> bytes = valid_;
    // Replace every NUL: no string has an end any more.
    for (uint64_t i = strings; i < strings + size; ++i) {
        if (bytes[i] == 0) bytes[i] = 'x';
    }
    reseal(bytes);
    EXPECT_CONTAINS(load_error(bytes, true), "not a string in the Strings section");
}

TEST_F(SwpkCorruption, GraphRecordProblemsAreNamed) {
    const uint64_t graph = section(format::SectionKind::Graph).first;
    // Layout: u32 2 inputs (0, 1), u32 1 output, u32 op count, then op 0 (Pad):
    // type, name, 1 input, 1 output, attribute count, inputs[], outputs[], attributes.
    const uint64_t op0 = graph + 4 + 8 + 4 + 4 + 4;
    EXPECT_CONTAINS(patched_error<uint32_t>(graph + 4, 99), "refers to tensor 99");
    EXPECT_CONTAINS(patched_error<uint32_t>(graph + 4, 2), "does not have the Input role");
    EXPECT_CONTAINS(patched_error<uint32_t>(op0, 77), "unknown op type 77");
    EXPECT_CONTAINS(patched_error<uint32_t>(op0 + 20, 1000),
                    "op 0 'pad' (Pad) refers to tensor 1000");
    EXPECT_CONTAINS(patched_error<uint32_t>(op0 + 8, 0x40000000), "op input count");
    EXPECT_CONTAINS(patched_error<uint32_t>(op0 + 16, 0x40000000), "attribute count");
    // The first attribute's kind (after its name): 0 ints, 1 floats; 5 is unknown.
    EXPECT_CONTAINS(patched_error<uint32_t>(op0 + 28 + 4, 5), "unknown attribute kind 5");
}

TEST_F(SwpkCorruption, GraphValidationErrorsNameTheOp) {
    const uint64_t graph = section(format::SectionKind::Graph).first;
    const uint64_t op0 = graph + 4 + 8 + 4 + 4 + 4;
    // Pad's input becomes "source" [1,6]: its pads no longer fit the rank.
    const std::string error = patched_error<uint32_t>(op0 + 20, 1);
    EXPECT_CONTAINS(error, "mem.swpk: op 0 'pad' (Pad)");
    EXPECT_CONTAINS(error, "pads");
}

// A file on disk is hashed by reading it, and LoadedModel::open defers the checksum
// to the pass that reads the weights; a damaged byte anywhere past the header must
// still be reported as damage, whichever check it trips first. Every 13th byte (the
// file is tens of KiB), and every byte of the records before the data.
TEST_F(SwpkCorruption, DamageOnDiskIsReportedAsSuchHoweverItIsOpened) {
    const std::string path = dir_.file("damaged.swpk");
    const uint64_t data_start = section(format::SectionKind::Data).first;
    for (uint64_t offset = FileHeaderLayout::kSize; offset < valid_.size();
         offset += offset < data_start ? 1 : 13) {
        std::vector<uint8_t> bytes = valid_;
        bytes[offset] ^= static_cast<uint8_t>(1u << (offset % 8));
        testkit::write_bytes(path, bytes);
        for (bool deferred : {false, true}) {
            try {
                format::ReadOptions options;
                options.defer_checksum = deferred;
                if (deferred) {
                    engine::LoadedModel::open(path, options);
                } else {
                    SwpkFile::open(path, options);
                }
                ADD_FAILURE() << "offset " << offset << " loaded";
            } catch (const Error& e) {
                ASSERT_EQ(e.kind(), ErrorKind::Format) << e.what();
                ASSERT_EQ(std::string(e.what()),
                          path + ": checksum mismatch: the file is corrupted")
                    << "offset " << offset << (deferred ? ", deferred" : "");
            }
        }
    }
}

TEST_F(SwpkCorruption, DeferredChecksumComesWithTheConstantsPass) {
    const std::string path = dir_.file("damaged.swpk");
    std::vector<uint8_t> bytes = valid_;
    bytes[section(format::SectionKind::Data).first + 4] ^= 0x20;
    testkit::write_bytes(path, bytes);
    format::ReadOptions deferred;
    deferred.defer_checksum = true;

    const auto file = SwpkFile::open(path, deferred);  // the records are intact
    std::vector<uint32_t> constants;
    for (uint32_t t = 0; t < file->model().tensors.size(); ++t) {
        if (!file->model().tensors[t].data.empty()) constants.push_back(t);
    }
    ASSERT_FALSE(constants.empty());
    size_t visits = 0;
    try {
        file->read_constants(constants, [&](uint32_t, std::span<const float>) { ++visits; });
        FAIL() << "the damage went unnoticed";
    } catch (const Error& e) {
        EXPECT_CONTAINS(e.what(), "checksum mismatch");
    }
    EXPECT_EQ(visits, constants.size());  // the verdict comes after the pass

    EXPECT_THROW(SwpkFile::open(path, deferred)->verify_pending_checksum(), Error);
    format::ReadOptions unchecked = deferred;
    unchecked.verify_checksum = false;
    SwpkFile::open(path, unchecked)->verify_pending_checksum();  // nothing pending

    testkit::write_bytes(path, valid_);
    const auto intact = SwpkFile::open(path, deferred);
    intact->read_constants(constants, [](uint32_t, std::span<const float>) {});
    intact->verify_pending_checksum();
}

// read_constants gives a mapped file's values (read past the mapping) exactly as the
// bytes in memory hold them: each tensor once, in file order.
TEST_F(SwpkCorruption, ReadConstantsMatchesTheBytesInMemory) {
    const std::string path = dir_.file("model.swpk");
    const auto mapped = SwpkFile::open(path);
    const testkit::AlignedBytes aligned(valid_);
    const auto in_memory = SwpkFile::from_memory(aligned.data(), aligned.size(), "mem.swpk");
    const auto& tensors = in_memory->model().tensors;
    std::vector<uint32_t> wanted;
    for (uint32_t t = static_cast<uint32_t>(tensors.size()); t-- > 0;) {
        if (!tensors[t].data.empty()) wanted.insert(wanted.end(), {t, t});  // repeats ignored
    }
    ASSERT_GE(wanted.size(), 4u);
    for (const SwpkFile* file : {mapped.get(), in_memory.get()}) {
        std::vector<uint32_t> order;
        file->read_constants(wanted, [&](uint32_t t, std::span<const float> values) {
            order.push_back(t);
            ASSERT_EQ(values.size(), tensors[t].data.size());
            EXPECT_EQ(0, std::memcmp(values.data(), tensors[t].data.data(), values.size_bytes()))
                << tensors[t].name;
        });
        ASSERT_EQ(order.size(), wanted.size() / 2);
        for (size_t i = 1; i < order.size(); ++i) {
            EXPECT_LT(tensors[order[i - 1]].data.data(), tensors[order[i]].data.data());
        }
    }
    const auto not_constant = static_cast<uint32_t>(tensors.size());
    for (const SwpkFile* file : {mapped.get(), in_memory.get()}) {
        try {
            file->read_constants(std::vector<uint32_t>{not_constant},
                                 [](uint32_t, std::span<const float>) {});
            FAIL();
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        }
    }
}

}  // namespace
