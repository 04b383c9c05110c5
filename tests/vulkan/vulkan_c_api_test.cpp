// The C API's device and precision options: a Vulkan context gives the CPU's results,
// and wrong requests fail with a status and a message.
#include <gtest/gtest.h>

#include <string>

#include "format/swpk_io.h"
#include "swaprun/swaprun.h"
#include "vulkan_test_support.h"

namespace swaprun::testkit {
namespace {

struct ApiModel {
    TempDir dir;
    swr_model* model = nullptr;
    ApiModel() {
        format::write_swpk(small_generator().desc(), dir.file("m.swpk"));
        EXPECT_EQ(swr_model_open(dir.file("m.swpk").c_str(), nullptr, &model), SWR_OK);
    }
    ~ApiModel() { swr_model_release(model); }
};

swr_status create(const ApiModel& m, int32_t device, int32_t precision, swr_context** out) {
    swr_context_options options{};
    options.struct_size = sizeof(options);
    options.threads = 1;
    options.device = device;
    options.precision = precision;
    return swr_context_create(m.model, &options, out);
}

std::vector<float> run(swr_context* context) {
    const auto target = random_values(3 * 8 * 8, 5, 0.0f, 1.0f);
    const auto source = random_values(6, 6);
    EXPECT_EQ(swr_context_set_input(context, "target", target.data(), target.size()), SWR_OK);
    EXPECT_EQ(swr_context_set_input(context, "source", source.data(), source.size()), SWR_OK);
    EXPECT_EQ(swr_context_run(context), SWR_OK);
    const float* data = nullptr;
    size_t count = 0;
    EXPECT_EQ(swr_context_get_output(context, "output", &data, &count), SWR_OK);
    return std::vector<float>(data, data + count);
}

TEST(VulkanCApiTest, ListsDevicesWithNames) {
    const int32_t count = swr_vulkan_device_count();
    for (int32_t i = 0; i < count; ++i) EXPECT_NE(swr_vulkan_device_name(i), nullptr);
    EXPECT_EQ(swr_vulkan_device_name(count), nullptr);
    EXPECT_EQ(swr_vulkan_device_name(-1), nullptr);
}

TEST(VulkanCApiTest, VulkanContextMatchesCpuContext) {
    SWR_REQUIRE_VULKAN();
    ApiModel m;
    swr_context* cpu = nullptr;
    swr_context* gpu = nullptr;
    ASSERT_EQ(create(m, SWR_DEVICE_CPU, SWR_PRECISION_FP32, &cpu), SWR_OK);
    ASSERT_EQ(create(m, SWR_DEVICE_VULKAN, SWR_PRECISION_FP32, &gpu), SWR_OK) << swr_last_error();
    EXPECT_LE(max_abs_error(run(gpu), run(cpu)), 1e-3);
    swr_context_release(gpu);
    swr_context_release(cpu);
}

TEST(VulkanCApiTest, WrongRequestsFailWithAMessage) {
    ApiModel m;
    swr_context* context = nullptr;
    EXPECT_EQ(create(m, SWR_DEVICE_CPU, SWR_PRECISION_FP16, &context), SWR_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(swr_last_error()).find("fp16"), std::string::npos);
    EXPECT_EQ(create(m, -1, SWR_PRECISION_FP32, &context), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(create(m, SWR_DEVICE_CPU, 7, &context), SWR_ERROR_INVALID_ARGUMENT);
    // A device that is not there: invalid without it, unsupported without Vulkan.
    const swr_status missing = create(m, SWR_DEVICE_VULKAN_0 + 1000, SWR_PRECISION_FP32, &context);
    EXPECT_TRUE(missing == SWR_ERROR_INVALID_ARGUMENT || missing == SWR_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(swr_last_error()).find("Vulkan"), std::string::npos);
    EXPECT_EQ(context, nullptr);
}

TEST(VulkanCApiTest, PipelineCacheFileIsWrittenAndReadBack) {
    SWR_REQUIRE_VULKAN();
    ApiModel m;
    TempDir dir;
    const std::string path = dir.file("pipelines.bin");
    swr_context_options options{};
    options.struct_size = sizeof(options);
    options.device = SWR_DEVICE_VULKAN;
    options.pipeline_cache = path.c_str();
    swr_context* first = nullptr;
    ASSERT_EQ(swr_context_create(m.model, &options, &first), SWR_OK) << swr_last_error();
    const auto written = read_bytes(path);
    EXPECT_FALSE(written.empty());  // every pipeline is made with the context
    const auto want = run(first);
    swr_context_release(first);

    swr_context* second = nullptr;  // starts from the file
    ASSERT_EQ(swr_context_create(m.model, &options, &second), SWR_OK) << swr_last_error();
    EXPECT_EQ(run(second), want);
    swr_context_release(second);

    // A cache that cannot be written (its directory is missing) does not stop the context.
    const std::string unwritable = dir.file("missing/pipelines.bin");
    options.pipeline_cache = unwritable.c_str();
    swr_context* third = nullptr;
    ASSERT_EQ(swr_context_create(m.model, &options, &third), SWR_OK) << swr_last_error();
    EXPECT_EQ(run(third), want);
    swr_context_release(third);
}

}  // namespace
}  // namespace swaprun::testkit
