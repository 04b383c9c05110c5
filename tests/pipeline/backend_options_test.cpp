// pipeline::make_execution_context: each precision on the device it belongs to, a clear
// error elsewhere. bf16x3 is a CPU model's packing: its context is the CPU's.
#include "pipeline/backend_options.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/loaded_model.h"
#include "exec/cpu_context.h"
#include "format/swpk_io.h"
#include "test_support.h"
#include "util/error.h"

namespace {

using namespace swaprun;

ErrorKind kind_of_failure(std::shared_ptr<const engine::LoadedModel> model,
                          const pipeline::BackendOptions& options) {
    try {
        pipeline::make_execution_context(std::move(model), options);
    } catch (const Error& e) {
        return e.kind();
    }
    ADD_FAILURE() << "device " << options.device << ", precision " << options.precision
                  << ": no error";
    return ErrorKind::Internal;
}

TEST(BackendOptions, EachPrecisionOnItsDevice) {
    testkit::TempDir dir;
    const std::string path = dir.file("gen.swpk");
    format::write_swpk(testkit::small_generator().desc(), path);
    format::ReadOptions read;
    read.bf16x3 = true;
    const auto model = engine::LoadedModel::open(path, read);

    pipeline::BackendOptions cpu_bf16x3;
    cpu_bf16x3.precision = 2;
    const auto context = pipeline::make_execution_context(model, cpu_bf16x3);
    EXPECT_NE(dynamic_cast<const exec::CpuContext*>(context.get()), nullptr);

    pipeline::BackendOptions vulkan_bf16x3 = cpu_bf16x3;
    vulkan_bf16x3.device = 1;
    EXPECT_EQ(kind_of_failure(model, vulkan_bf16x3), ErrorKind::Unsupported);
    pipeline::BackendOptions cpu_fp16;
    cpu_fp16.precision = 1;
    EXPECT_EQ(kind_of_failure(model, cpu_fp16), ErrorKind::Unsupported);
    pipeline::BackendOptions unknown;
    unknown.precision = 3;
    EXPECT_EQ(kind_of_failure(model, unknown), ErrorKind::InvalidArgument);
}

}  // namespace
