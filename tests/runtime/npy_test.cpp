#include "tools/common/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "test_support.h"
#include "util/error.h"

namespace {

using namespace swaprun;
using tools::NpyArray;

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

std::vector<uint8_t> npy_bytes(const std::string& dict, const std::vector<float>& values,
                               uint8_t major = 1) {
    std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
    const auto n = static_cast<uint32_t>(dict.size());
    out.push_back(static_cast<uint8_t>(n & 0xff));
    out.push_back(static_cast<uint8_t>(n >> 8));
    if (major >= 2) {
        out.push_back(static_cast<uint8_t>(n >> 16));
        out.push_back(static_cast<uint8_t>(n >> 24));
    }
    out.insert(out.end(), dict.begin(), dict.end());
    const size_t at = out.size();
    out.resize(at + values.size() * 4);
    if (!values.empty()) std::memcpy(out.data() + at, values.data(), values.size() * 4);
    return out;
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
    try {
        tools::parse_npy(bytes, "x.npy");
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

TEST(Npy, WriteThenReadRoundTrips) {
    testkit::TempDir dir;
    for (const std::vector<int64_t>& shape : {std::vector<int64_t>{1, 3, 4, 5}, {7}, {}, {2, 0}}) {
        size_t n = 1;
        for (int64_t d : shape) n *= static_cast<size_t>(d);
        const auto values = testkit::random_values(n, 3);
        const std::string path = dir.file("a.npy");
        tools::write_npy(path, shape, values);
        const NpyArray back = tools::read_npy(path);
        EXPECT_EQ(back.shape, shape);
        EXPECT_EQ(back.values, values);
        const auto bytes = testkit::read_bytes(path);
        EXPECT_EQ((bytes.size() - n * 4) % 64, 0u) << "data is 64-byte aligned";
    }
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.npy"});
}

TEST(Npy, AcceptsWhatNumpyWrites) {
    const auto a = tools::parse_npy(
        npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }          \n",
                  std::vector<float>(6, 1.5f)),
        "x.npy");
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    const auto b = tools::parse_npy(
        npy_bytes("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<f4\"}\n",
                  std::vector<float>(3, 2.0f), 2),
        "x.npy");
    EXPECT_EQ(b.shape, (std::vector<int64_t>{3}));
}

TEST(Npy, RejectsWithClearMessages) {
    const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    EXPECT_CONTAINS(parse_error({1, 2, 3}), "not a .npy file");
    EXPECT_CONTAINS(
        parse_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                              std::vector<float>(4))),
        "holds '<f8' values; float32 little-endian ('<f4') is required");
    EXPECT_CONTAINS(
        parse_error(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
                              std::vector<float>(2))),
        "'>f4'");
    EXPECT_CONTAINS(
        parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
                              std::vector<float>(2))),
        "Fortran order");
    EXPECT_CONTAINS(parse_error(npy_bytes(ok_dict, std::vector<float>(3))),
                    "shape [2] needs 8 bytes of data, the file has 12");
    EXPECT_CONTAINS(parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                          "(100000000000000, 100000000000000), }",
                                          {})),
                    "too large");
    EXPECT_CONTAINS(
        parse_error(npy_bytes("{'descr': '<f4', 'shape': (2,), }", std::vector<float>(2))),
        "lacks");
    EXPECT_CONTAINS(
        parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", {})),
        "non-negative integer");
    EXPECT_CONTAINS(parse_error(npy_bytes("{'descr': '<f4', 'evil': 1}", {})), "unexpected key");
    auto bytes = npy_bytes(ok_dict, std::vector<float>(2));
    bytes[8] = 0xff;  // header length beyond the file
    EXPECT_CONTAINS(parse_error(bytes), "truncated");
    bytes[6] = 9;
    EXPECT_CONTAINS(parse_error(bytes), "version 9");
}

TEST(Npy, RandomDamageNeverCrashes) {
    const auto valid =
        npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }          \n",
                  std::vector<float>(6, 1.0f));
    std::mt19937 rng(5);
    for (int trial = 0; trial < 20000; ++trial) {
        auto bytes = valid;
        const int changes = 1 + static_cast<int>(rng() % 4);
        for (int c = 0; c < changes; ++c) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
        if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
        parse_error(bytes);
    }
}

}  // namespace
