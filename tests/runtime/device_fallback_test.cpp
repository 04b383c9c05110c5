// A Vulkan device that cannot be used: a clear error, or the CPU when the caller allowed
// it (swr_context_options.cpu_fallback). Needs a process without a usable Vulkan driver:
// ctest runs it as runtime_vulkan_absent with VK_ICD_FILENAMES naming no driver.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/swpk_io.h"
#include "swaprun/swaprun.h"
#include "test_support.h"

namespace {

using namespace swaprun;

struct LogCapture {
    std::vector<std::string> warnings;
    static void callback(void* user, swr_log_level level, const char* message) {
        if (level == SWR_LOG_WARNING) static_cast<LogCapture*>(user)->warnings.push_back(message);
    }
};

TEST(DeviceFallback, NoVulkanFailsClearlyOrFallsBackToTheCpuWhenAllowed) {
    if (swr_vulkan_device_count() > 0) {
        GTEST_SKIP() << "a Vulkan device is present; ctest runs this test as "
                        "runtime_vulkan_absent with VK_ICD_FILENAMES naming no driver";
    }
    testkit::TempDir dir;
    testkit::ModelBuilder b = testkit::small_generator();
    const std::string path = dir.file("gen.swpk");
    format::write_swpk(b.desc(), path);
    swr_model* model = nullptr;
    ASSERT_EQ(swr_model_open(path.c_str(), nullptr, &model), SWR_OK) << swr_last_error();

    swr_context_options options{};
    options.struct_size = sizeof(options);
    options.threads = 1;
    options.device = SWR_DEVICE_VULKAN;
    swr_context* context = nullptr;
    EXPECT_EQ(swr_context_create(model, &options, &context), SWR_ERROR_UNSUPPORTED);
    EXPECT_EQ(context, nullptr);
    EXPECT_NE(std::string(swr_last_error()).find("Vulkan"), std::string::npos) << swr_last_error();

    LogCapture log;
    swr_set_log_callback(&LogCapture::callback, &log, SWR_LOG_WARNING);
    options.cpu_fallback = 1;
    ASSERT_EQ(swr_context_create(model, &options, &context), SWR_OK) << swr_last_error();
    swr_set_log_callback(nullptr, nullptr, SWR_LOG_WARNING);
    ASSERT_EQ(log.warnings.size(), 1u);
    EXPECT_NE(log.warnings[0].find("running on the CPU"), std::string::npos) << log.warnings[0];

    // The fallback context is a working CPU context: same output as one asked for.
    const auto target = testkit::random_values(192, 1, 0.0f, 1.0f);
    const auto source = testkit::random_values(6, 2);
    auto run = [&](swr_context* c) {
        EXPECT_EQ(swr_context_set_input(c, "target", target.data(), target.size()), SWR_OK);
        EXPECT_EQ(swr_context_set_input(c, "source", source.data(), source.size()), SWR_OK);
        EXPECT_EQ(swr_context_run(c), SWR_OK) << swr_last_error();
        const float* data = nullptr;
        size_t count = 0;
        EXPECT_EQ(swr_context_get_output(c, "output", &data, &count), SWR_OK);
        return std::vector<float>(data, data + count);
    };
    swr_context* cpu = nullptr;
    options.device = SWR_DEVICE_CPU;
    ASSERT_EQ(swr_context_create(model, &options, &cpu), SWR_OK) << swr_last_error();
    const auto fallback_output = run(context);
    EXPECT_EQ(fallback_output.size(), 768u);
    EXPECT_EQ(fallback_output, run(cpu));
    swr_context_release(cpu);
    swr_context_release(context);
    swr_model_release(model);
}

}  // namespace
