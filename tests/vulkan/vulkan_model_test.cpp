// Whole models on Vulkan against the CPU context: fp32 and fp16 storage, the reuse of
// results that depend only on unchanged inputs, the pipeline cache, misuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "exec/cpu_context.h"
#include "util/error.h"
#include "vulkan_test_support.h"

namespace swaprun::testkit {
namespace {

class VulkanModelTest : public ::testing::Test {
  protected:
    void SetUp() override { SWR_REQUIRE_VULKAN(); }

    std::vector<std::vector<float>> generator_inputs(uint32_t seed) const {
        return {random_values(3 * 8 * 8, seed, 0.0f, 1.0f), random_values(6, seed + 1)};
    }
};

TEST_F(VulkanModelTest, SmallGeneratorMatchesCpuInFp32) {
    const auto model = load_model(small_generator());
    exec::CpuContext cpu(model, 1);
    vulkan::VulkanContext gpu(model, {});
    const auto inputs = generator_inputs(11);
    const auto want = run_context(cpu, inputs);
    const auto got = run_context(gpu, inputs);
    EXPECT_LE(max_abs_error(got, want), 1e-3);
    EXPECT_GE(psnr(got, want), 60.0);
}

TEST_F(VulkanModelTest, SmallGeneratorMatchesCpuInFp16) {
    if (!vulkan_fp16_present()) GTEST_SKIP() << "the Vulkan device has no 16-bit storage";
    const auto model = load_model(small_generator());
    exec::CpuContext cpu(model, 1);
    vulkan::VulkanOptions options;
    options.fp16 = true;
    options.fp16_math = false;
    vulkan::VulkanContext gpu(model, options);
    EXPECT_FALSE(gpu.fp16_math());
    const auto inputs = generator_inputs(12);
    EXPECT_GE(psnr(run_context(gpu, inputs), run_context(cpu, inputs)), 40.0);
}

// The tiled convolution's fp16-arithmetic build (the GPU shader; lavapipe would pick the
// direct one), every convolution of the generator through it.
TEST_F(VulkanModelTest, SmallGeneratorMatchesCpuInFp16Arithmetic) {
    if (!vulkan_fp16_math_present()) {
        GTEST_SKIP() << "the Vulkan device has no 16-bit storage or no 16-bit arithmetic";
    }
    const auto model = load_model(small_generator());
    exec::CpuContext cpu(model, 1);
    vulkan::VulkanOptions options;
    options.fp16 = true;
    options.conv = vulkan::ConvAlgorithm::Tiled;
    vulkan::VulkanContext gpu(model, options);  // fp16_math unset: the device has it
    EXPECT_TRUE(gpu.fp16_math());
    const auto inputs = generator_inputs(13);
    const auto got = run_context(gpu, inputs);
    EXPECT_GE(psnr(got, run_context(cpu, inputs)), 40.0);
    // The same convolutions with fp32 arithmetic round differently: the fp16 build ran.
    options.fp16_math = false;
    vulkan::VulkanContext storage_only(model, options);
    EXPECT_NE(got, run_context(storage_only, inputs));
}

TEST_F(VulkanModelTest, Fp16ArithmeticIsOnlyEverWithFp16Storage) {
    const auto model = load_model(small_generator());
    vulkan::VulkanOptions options;
    options.fp16_math = true;  // ignored without fp16
    vulkan::VulkanContext gpu(model, options);
    EXPECT_FALSE(gpu.fp16());
    EXPECT_FALSE(gpu.fp16_math());
}

TEST_F(VulkanModelTest, RunsWithOnlyTheTargetChangedMatchCpu) {
    const auto model = load_model(small_generator());
    exec::CpuContext cpu(model, 1);
    vulkan::VulkanContext gpu(model, {});
    const auto first = generator_inputs(21);
    run_context(cpu, first);
    run_context(gpu, first);
    // Only the target changes: the style Gemm is skipped and its result reused.
    const auto target = random_values(3 * 8 * 8, 99, 0.0f, 1.0f);
    cpu.set_input("target", target.data(), target.size());
    gpu.set_input("target", target.data(), target.size());
    cpu.run();
    gpu.run();
    const auto want = cpu.output("output");
    const auto got = gpu.output("output");
    EXPECT_LE(max_abs_error({got.begin(), got.end()}, {want.begin(), want.end()}), 1e-3);
}

TEST_F(VulkanModelTest, PipelineCacheSavesAndLoads) {
    const auto model = load_model(small_generator());
    TempDir dir;
    const std::string path = dir.file("pipelines.bin");
    {
        vulkan::VulkanContext gpu(model, {});
        gpu.save_pipeline_cache(path);
    }
    EXPECT_FALSE(read_bytes(path).empty());
    vulkan::VulkanOptions options;
    options.pipeline_cache = path;
    vulkan::VulkanContext gpu(model, options);
    const auto inputs = generator_inputs(31);
    exec::CpuContext cpu(model, 1);
    EXPECT_LE(max_abs_error(run_context(gpu, inputs), run_context(cpu, inputs)), 1e-3);
}

TEST_F(VulkanModelTest, ProfiledRunGivesOpTimesAndTheSameOutput) {
    const auto model = load_model(small_generator());
    vulkan::VulkanContext gpu(model, {});
    const auto inputs = generator_inputs(41);
    const auto plain = run_context(gpu, inputs);
    std::vector<double> op_ms;
    gpu.run(&op_ms);  // the inputs persist from the plain run
    ASSERT_EQ(op_ms.size(), model->graph().ops.size());
    // A timestamp's resolution may round a tiny dispatch to 0, never below it; the
    // whole graph takes measurable time on any device.
    double total = 0;
    for (size_t k = 0; k < op_ms.size(); ++k) {
        EXPECT_GE(op_ms[k], 0.0) << "op " << k;
        total += op_ms[k];
    }
    EXPECT_GT(total, 0.0);
    const auto out = gpu.output("output");
    EXPECT_EQ(std::vector<float>(out.begin(), out.end()), plain);

    // A second profiled run with only the target changed skips the style Gemm: its
    // time is 0, as on the CPU.
    const auto target = random_values(3 * 8 * 8, 42, 0.0f, 1.0f);
    gpu.set_input("target", target.data(), target.size());
    gpu.run(&op_ms);
    const auto& reuse = model->plan().reuse;
    size_t skipped = 0;
    for (size_t k = 0; k < op_ms.size(); ++k) {
        if (reuse.reusable[k]) {
            EXPECT_EQ(op_ms[k], 0.0) << "op " << k;
            ++skipped;
        } else {
            EXPECT_GE(op_ms[k], 0.0) << "op " << k;
        }
    }
    EXPECT_GT(skipped, 0u);
}

TEST_F(VulkanModelTest, BuffersLargerThanTheStorageRangeBindPerTensor) {
    const auto model = load_model(small_generator());
    const auto& d = model->description();
    uint64_t largest = 0;  // bytes, fp32
    for (const auto& t : d.tensors) {
        largest = std::max<uint64_t>(largest, static_cast<uint64_t>(t.elements()) * 4);
    }
    // A limit that every tensor fits (with the binding's alignment slack), while the
    // activation arena is larger than it: tensors past the limit bind at offsets.
    const uint64_t limit = largest + 256;
    ASSERT_GT(model->plan().arena_bytes, limit);
    exec::CpuContext cpu(model, 1);
    vulkan::VulkanOptions options;
    options.max_storage_buffer_range = limit;
    vulkan::VulkanContext gpu(model, options);
    const auto inputs = generator_inputs(51);
    EXPECT_LE(max_abs_error(run_context(gpu, inputs), run_context(cpu, inputs)), 1e-3);

    // A tensor larger than the range is refused, naming the limit.
    options.max_storage_buffer_range = largest / 2;
    try {
        vulkan::VulkanContext small(model, options);
        ADD_FAILURE() << "a tensor beyond the storage buffer range was accepted";
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find(std::to_string(largest / 2) + "-byte storage buffer range"),
            std::string::npos)
            << e.what();
    }
}

TEST_F(VulkanModelTest, RejectsMisuseLikeTheCpuContext) {
    const auto model = load_model(small_generator());
    vulkan::VulkanContext gpu(model, {});
    const std::vector<float> few(5, 0.0f);
    EXPECT_THROW(gpu.set_input("target", few.data(), few.size()), Error);
    EXPECT_THROW(gpu.set_input("nope", few.data(), few.size()), Error);
    EXPECT_THROW(gpu.run(), Error);  // inputs never set
    EXPECT_THROW(gpu.output("output"), Error);
    vulkan::VulkanOptions options;
    options.device = 1000;
    EXPECT_THROW(vulkan::VulkanContext(model, options), Error);
}

}  // namespace
}  // namespace swaprun::testkit
