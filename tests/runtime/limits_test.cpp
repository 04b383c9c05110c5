// Declared sizes beyond the stated maxima fail at load, before anything is allocated for
// them (util/limits.h): the activation arena of a model, through the C API.
#include "util/limits.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "format/swpk_io.h"
#include "swaprun/swaprun.h"
#include "test_support.h"

namespace {

using namespace swaprun;
using testkit::ints;

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

// A file of a few hundred bytes whose one op pads a 1x1 image to 32769 x 32769:
// 4.3 GB of activations, above the default limit of 4 GiB.
std::string write_huge_activation_model(const testkit::TempDir& dir) {
    testkit::ModelBuilder b;
    const uint32_t x = b.input("x", {1, 1, 1, 1});
    const uint32_t y = b.activation("y", {1, 1, 32769, 32769});
    b.op(OpType::Pad, "grow", {x}, y).attributes["pads"] =
        ints({0, 0, 16384, 16384, 0, 0, 16384, 16384});
    b.output(y);
    const std::string path = dir.file("huge.swpk");
    format::write_swpk(b.desc(), path);
    return path;
}

TEST(Limits, ASmallFileDeclaringHugeActivationsFailsToOpenWithTheDefaultLimit) {
    static_assert(uint64_t{32769} * 32769 * 4 > limits::kDefaultMaxActivationBytes);
    testkit::TempDir dir;
    const std::string path = write_huge_activation_model(dir);
    EXPECT_LT(testkit::read_bytes(path).size(), 4096u);
    swr_model* model = nullptr;
    EXPECT_EQ(swr_model_open(path.c_str(), nullptr, &model), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(model, nullptr);
    EXPECT_CONTAINS(swr_last_error(), path);
    EXPECT_CONTAINS(swr_last_error(), "activations need");
    EXPECT_CONTAINS(swr_last_error(), "above the limit of 4294967296 bytes");
}

TEST(Limits, TheActivationLimitIsSettableThroughModelOptions) {
    testkit::TempDir dir;
    testkit::ModelBuilder b = testkit::small_generator();
    const std::string path = dir.file("gen.swpk");
    format::write_swpk(b.desc(), path);

    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.max_activation_bytes = 1024;  // the small generator needs several kB
    swr_model* model = nullptr;
    EXPECT_EQ(swr_model_open(path.c_str(), &options, &model), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "above the limit of 1024 bytes");

    // Raised, it opens; an older caller's smaller struct gets the default.
    options.max_activation_bytes = uint64_t{1} << 20;
    ASSERT_EQ(swr_model_open(path.c_str(), &options, &model), SWR_OK) << swr_last_error();
    swr_model_release(model);
    options.max_activation_bytes = 1024;
    options.struct_size = offsetof(swr_model_options, max_activation_bytes);
    ASSERT_EQ(swr_model_open(path.c_str(), &options, &model), SWR_OK) << swr_last_error();
    swr_model_release(model);
}

TEST(Limits, AHigherLimitLetsTheHugeModelPlanWithoutAllocating) {
    // Opening plans the arena but allocates none of it: only contexts do.
    testkit::TempDir dir;
    const std::string path = write_huge_activation_model(dir);
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.max_activation_bytes = uint64_t{8} << 30;
    swr_model* model = nullptr;
    ASSERT_EQ(swr_model_open(path.c_str(), &options, &model), SWR_OK) << swr_last_error();
    swr_model_release(model);
}

}  // namespace
