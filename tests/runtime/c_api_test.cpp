#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>

#include "executor_support.h"
#include "format/swpk_io.h"
#include "swaprun/swaprun.h"
#include "swaprun/swaprun.hpp"

namespace {

using namespace swaprun;
using testkit::random_values;

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

class CApi : public ::testing::Test {
  protected:
    void SetUp() override {
        testkit::ModelBuilder b = testkit::small_generator();
        path_ = dir_.file("gen.swpk");
        format::write_swpk(b.desc(), path_);
        ASSERT_EQ(swr_model_open(path_.c_str(), nullptr, &model_), SWR_OK) << swr_last_error();
        ASSERT_EQ(swr_context_create(model_, nullptr, &context_), SWR_OK) << swr_last_error();
    }
    void TearDown() override {
        swr_context_release(context_);
        swr_model_release(model_);
    }
    void set_both_inputs() {
        ASSERT_EQ(swr_context_set_input(context_, "target", target_.data(), target_.size()),
                  SWR_OK);
        ASSERT_EQ(swr_context_set_input(context_, "source", source_.data(), source_.size()),
                  SWR_OK);
    }

    testkit::TempDir dir_;
    std::string path_;
    swr_model* model_ = nullptr;
    swr_context* context_ = nullptr;
    std::vector<float> target_ = random_values(192, 1, 0.0f, 1.0f);
    std::vector<float> source_ = random_values(6, 2);
};

TEST_F(CApi, VersionAndStatusNames) {
    EXPECT_STREQ(swr_version(), "0.1.0");
    EXPECT_STREQ(swr_status_name(SWR_OK), "SWR_OK");
    EXPECT_STREQ(swr_status_name(SWR_ERROR_FORMAT), "SWR_ERROR_FORMAT");
    EXPECT_STREQ(swr_status_name(static_cast<swr_status>(99)), "SWR_UNKNOWN_STATUS");
}

TEST_F(CApi, ModelIntrospection) {
    ASSERT_EQ(swr_model_input_count(model_), 2);
    ASSERT_EQ(swr_model_output_count(model_), 1);
    swr_tensor_info info{};
    ASSERT_EQ(swr_model_input_info(model_, 0, &info), SWR_OK);
    EXPECT_STREQ(info.name, "target");
    EXPECT_EQ(info.rank, 4);
    EXPECT_EQ(info.shape[1], 3);
    EXPECT_EQ(info.element_count, 192);
    ASSERT_EQ(swr_model_output_info(model_, 0, &info), SWR_OK);
    EXPECT_STREQ(info.name, "output");
    EXPECT_EQ(info.element_count, 768);
    EXPECT_EQ(swr_model_input_info(model_, 2, &info), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_model_output_info(model_, -1, &info), SWR_ERROR_INVALID_ARGUMENT);

    EXPECT_STREQ(swr_model_metadata(model_, "model.name"), "small_generator");
    EXPECT_EQ(swr_model_metadata(model_, "absent"), nullptr);

    const float* data = nullptr;
    ASSERT_EQ(swr_model_extra_tensor(model_, "emap", &info, &data), SWR_OK);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(info.element_count, 36);
    EXPECT_EQ(data[5], random_values(36, 6)[5]);
    ASSERT_EQ(swr_model_extra_tensor(model_, "absent", &info, &data), SWR_OK);
    EXPECT_EQ(data, nullptr);
}

TEST_F(CApi, RunMatchesTheExecutor) {
    set_both_inputs();
    ASSERT_EQ(swr_context_run(context_), SWR_OK) << swr_last_error();
    const float* out = nullptr;
    size_t n = 0;
    ASSERT_EQ(swr_context_get_output(context_, "output", &out, &n), SWR_OK);
    ASSERT_EQ(n, 768u);
    testkit::ModelBuilder b = testkit::small_generator();
    const auto expected = testkit::run_model(b, {target_, source_});
    EXPECT_EQ(std::vector<float>(out, out + n), expected);
    for (size_t i = 0; i < n; ++i) {
        EXPECT_GT(out[i], 0.0f);
        EXPECT_LT(out[i], 1.0f);
    }
}

TEST_F(CApi, InputsPersistAcrossRuns) {
    set_both_inputs();
    ASSERT_EQ(swr_context_run(context_), SWR_OK);
    const float* out = nullptr;
    size_t n = 0;
    ASSERT_EQ(swr_context_get_output(context_, "output", &out, &n), SWR_OK);
    const std::vector<float> first(out, out + n);
    // Only the target changes; the source set once stays.
    ASSERT_EQ(swr_context_set_input(context_, "target", target_.data(), target_.size()), SWR_OK);
    ASSERT_EQ(swr_context_run(context_), SWR_OK);
    ASSERT_EQ(swr_context_get_output(context_, "output", &out, &n), SWR_OK);
    EXPECT_EQ(std::vector<float>(out, out + n), first);
}

TEST_F(CApi, WrongNameListsTheInputs) {
    EXPECT_EQ(swr_context_set_input(context_, "image", target_.data(), target_.size()),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(),
                    "unknown input 'image'; the model's inputs are 'target', 'source'");
    set_both_inputs();
    ASSERT_EQ(swr_context_run(context_), SWR_OK);
    const float* out = nullptr;
    size_t n = 0;
    EXPECT_EQ(swr_context_get_output(context_, "result", &out, &n), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "unknown output 'result'; the model's outputs are 'output'");
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(n, 0u);
}

TEST_F(CApi, WrongCountIsRejected) {
    EXPECT_EQ(swr_context_set_input(context_, "target", target_.data(), 100),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(),
                    "input 'target' takes 192 values (shape [1, 3, 8, 8]), got 100");
}

TEST_F(CApi, MissingInputFailsTheRun) {
    ASSERT_EQ(swr_context_set_input(context_, "target", target_.data(), target_.size()), SWR_OK);
    EXPECT_EQ(swr_context_run(context_), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "input 'source' was never set");
    const float* out = nullptr;
    size_t n = 0;
    EXPECT_EQ(swr_context_get_output(context_, "output", &out, &n), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "no run has completed");
}

TEST_F(CApi, NullArgumentsAreRejected) {
    swr_model* m = nullptr;
    EXPECT_EQ(swr_model_open(nullptr, nullptr, &m), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "swr_model_open: path is NULL");
    EXPECT_EQ(swr_model_open(path_.c_str(), nullptr, nullptr), SWR_ERROR_INVALID_ARGUMENT);
    swr_context* c = nullptr;
    EXPECT_EQ(swr_context_create(nullptr, nullptr, &c), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_context_create(model_, nullptr, nullptr), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_context_set_input(nullptr, "target", target_.data(), 192),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_context_set_input(context_, nullptr, target_.data(), 192),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_context_set_input(context_, "target", nullptr, 192), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_context_run(nullptr), SWR_ERROR_INVALID_ARGUMENT);
    size_t n = 0;
    const float* out = nullptr;
    EXPECT_EQ(swr_context_get_output(context_, "output", nullptr, &n), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_context_get_output(context_, "output", &out, nullptr),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_model_input_count(nullptr), -1);
    EXPECT_EQ(swr_model_input_info(model_, 0, nullptr), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_model_metadata(nullptr, "k"), nullptr);
    swr_model_release(nullptr);
    swr_context_release(nullptr);
}

TEST_F(CApi, OpenErrorsMapToStatuses) {
    swr_model* m = nullptr;
    const std::string absent = dir_.file("absent.swpk");
    EXPECT_EQ(swr_model_open(absent.c_str(), nullptr, &m), SWR_ERROR_IO);
    EXPECT_CONTAINS(swr_last_error(), absent);
    EXPECT_EQ(m, nullptr);

    auto bytes = testkit::read_bytes(path_);
    bytes[bytes.size() - 3] ^= 1;
    const std::string damaged = dir_.file("damaged.swpk");
    testkit::write_bytes(damaged, bytes);
    EXPECT_EQ(swr_model_open(damaged.c_str(), nullptr, &m), SWR_ERROR_FORMAT);
    EXPECT_CONTAINS(swr_last_error(), "checksum mismatch");
    // Skipping the checksum loads it (a damaged weight is not a structural problem).
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.skip_checksum = 1;
    ASSERT_EQ(swr_model_open(damaged.c_str(), &options, &m), SWR_OK) << swr_last_error();
    swr_model_release(m);
    options.struct_size = 0;
    EXPECT_EQ(swr_model_open(damaged.c_str(), &options, &m), SWR_ERROR_INVALID_ARGUMENT);
}

// bf16x3 is the CPU's arithmetic, chosen as the model opens: a model option (other
// values rejected, and a context cannot ask for it). This model's convolutions (3 and 4
// channels) are too narrow for the tiles, so it runs as fp32, to the bit; the kernel and
// model tests measure the tiles' precision.
TEST_F(CApi, Bf16x3IsAModelOption) {
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.cpu_precision = SWR_PRECISION_FP16;
    swr_model* m = nullptr;
    EXPECT_EQ(swr_model_open(path_.c_str(), &options, &m), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "cpu_precision 1");
    EXPECT_EQ(m, nullptr);

    swr_context_options context_options{};
    context_options.struct_size = sizeof(context_options);
    context_options.precision = SWR_PRECISION_BF16X3;
    swr_context* c = nullptr;
    EXPECT_EQ(swr_context_create(model_, &context_options, &c), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "swr_model_options.cpu_precision");
    EXPECT_EQ(c, nullptr);

    auto output_of = [&](int32_t precision) {
        const Model model = Model::open(path_, false, 0, false, precision);
        Context context(model, 2);
        context.set_input("target", target_);
        context.set_input("source", source_);
        context.run();
        const auto out = context.output("output");
        return std::vector<float>(out.begin(), out.end());
    };
    const std::vector<float> fp32 = output_of(SWR_PRECISION_FP32);
    const std::vector<float> bf16x3 = output_of(SWR_PRECISION_BF16X3);
    EXPECT_EQ(bf16x3, fp32);
}

TEST_F(CApi, BadThreadCountIsRejected) {
    swr_context_options options{};
    options.struct_size = sizeof(options);
    options.threads = -1;
    swr_context* c = nullptr;
    EXPECT_EQ(swr_context_create(model_, &options, &c), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(c, nullptr);
}

TEST_F(CApi, LastErrorIsPerThread) {
    EXPECT_EQ(swr_context_set_input(context_, "bogus", target_.data(), 1),
              SWR_ERROR_INVALID_ARGUMENT);
    const std::string here = swr_last_error();
    std::string there;
    std::thread worker([&] {
        swr_model* m = nullptr;
        swr_model_open("/nonexistent/x.swpk", nullptr, &m);
        there = swr_last_error();
    });
    worker.join();
    EXPECT_CONTAINS(there, "/nonexistent/x.swpk");
    EXPECT_EQ(std::string(swr_last_error()), here);
}

// Results do not depend on the thread count; contexts on different threads may use
// different counts at the same time.
TEST_F(CApi, SameOutputWithOneTwoAndThreeThreads) {
    // A model with enough work per op to be split between threads.
    testkit::ModelBuilder b;
    const uint32_t x = b.input("x", {1, 8, 24, 24});
    const uint32_t w = b.random_constant("w", {16, 8, 3, 3}, 7);
    const uint32_t c = b.activation("c", {1, 16, 24, 24});
    auto& conv = b.op(OpType::Conv2d, "conv", {x, w, kNoTensor}, c);
    conv.attributes["pads"] = testkit::ints({1, 1, 1, 1});
    conv.attributes["pad_mode"] = testkit::ints({1});
    const uint32_t g = b.random_constant("g", {16}, 8);
    const uint32_t be = b.random_constant("be", {16}, 9);
    const uint32_t y = b.activation("y", {1, 16, 24, 24});
    b.op(OpType::Adain, "norm", {c, g, be}, y).attributes["activation"] = testkit::ints({1});
    b.output(y);
    const std::string path = dir_.file("threads.swpk");
    format::write_swpk(b.desc(), path);
    const auto xv = random_values(8 * 24 * 24, 10);

    const Model model = Model::open(path);
    auto run_with = [&](int threads) {
        Context context(model, threads);
        context.set_input("x", xv);
        context.run();
        const auto out = context.output("y");
        return std::vector<float>(out.begin(), out.end());
    };
    const auto one = run_with(1);
    EXPECT_EQ(run_with(2), one);
    EXPECT_EQ(run_with(3), one);
    std::vector<float> a, b2;
    std::thread t1([&] { a = run_with(2); });
    std::thread t2([&] { b2 = run_with(1); });
    t1.join();
    t2.join();
    EXPECT_EQ(a, one);
    EXPECT_EQ(b2, one);
}

TEST_F(CApi, CppWrapperThrowsApiError) {
    const Model model = Model::open(path_);
    EXPECT_EQ(model.input_count(), 2);
    EXPECT_EQ(model.input_info(0).shape, (std::vector<int64_t>{1, 3, 8, 8}));
    EXPECT_EQ(model.metadata("input.target.range"), std::optional<std::string>("0,1"));
    EXPECT_EQ(model.metadata("nope"), std::nullopt);
    EXPECT_EQ(model.extra_tensor("emap").size(), 36u);
    EXPECT_TRUE(model.extra_tensor("nope").empty());
    Context context(model, 1);
    try {
        context.set_input("target", std::vector<float>(5));
        FAIL();
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status(), SWR_ERROR_INVALID_ARGUMENT);
        EXPECT_CONTAINS(e.what(), "takes 192 values");
    }
    try {
        Model::open(dir_.file("nothing.swpk"));
        FAIL();
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status(), SWR_ERROR_IO);
    }
}

}  // namespace
