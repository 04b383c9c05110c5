// The C API's embedding features: models from memory (copied or in place), the
// application's allocator, the log callback, version and status queries.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "executor_support.h"
#include "format/swpk_io.h"
#include "kernels/conv2d_prepared.h"
#include "swaprun/swaprun.h"
#include "swaprun/swaprun.hpp"

namespace {

using namespace swaprun;
using testkit::random_values;

#define EXPECT_CONTAINS(text, part) \
    EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

// Runs the small generator's model once and returns its output.
std::vector<float> run_once(const swr_model* model) {
    swr_context* context = nullptr;
    EXPECT_EQ(swr_context_create(model, nullptr, &context), SWR_OK) << swr_last_error();
    if (context == nullptr) return {};
    const auto target = random_values(192, 1, 0.0f, 1.0f);
    const auto source = random_values(6, 2);
    EXPECT_EQ(swr_context_set_input(context, "target", target.data(), target.size()), SWR_OK);
    EXPECT_EQ(swr_context_set_input(context, "source", source.data(), source.size()), SWR_OK);
    EXPECT_EQ(swr_context_run(context), SWR_OK) << swr_last_error();
    const float* out = nullptr;
    size_t n = 0;
    EXPECT_EQ(swr_context_get_output(context, "output", &out, &n), SWR_OK);
    std::vector<float> values(out, out + n);
    swr_context_release(context);
    return values;
}

// The text of a message after the label that names the file or the memory.
std::string after_label(const std::string& message) {
    const size_t colon = message.find(": ");
    return colon == std::string::npos ? message : message.substr(colon + 2);
}

class ModelFromMemory : public ::testing::Test {
  protected:
    void SetUp() override {
        testkit::ModelBuilder b = testkit::small_generator();
        path_ = dir_.file("gen.swpk");
        format::write_swpk(b.desc(), path_);
        bytes_ = testkit::read_bytes(path_);
        swr_model* m = nullptr;
        ASSERT_EQ(swr_model_open(path_.c_str(), nullptr, &m), SWR_OK) << swr_last_error();
        from_file_ = run_once(m);
        swr_model_release(m);
        ASSERT_EQ(from_file_.size(), 768u);
    }

    testkit::TempDir dir_;
    std::string path_;
    std::vector<uint8_t> bytes_;
    std::vector<float> from_file_;
};

TEST_F(ModelFromMemory, CopyRunsLikeTheFileAndOutlivesTheCallersBytes) {
    // Deliberately misaligned: the copy is aligned by the library.
    std::vector<uint8_t> storage(bytes_.size() + 1);
    std::memcpy(storage.data() + 1, bytes_.data(), bytes_.size());
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open_memory(storage.data() + 1, bytes_.size(), nullptr, &m), SWR_OK)
        << swr_last_error();
    // The caller's buffer is gone: the model must not refer to it.
    std::fill(storage.begin(), storage.end(), uint8_t{0xAB});
    storage = {};
    EXPECT_EQ(run_once(m), from_file_);
    const float* emap = nullptr;
    swr_tensor_info info{};
    ASSERT_EQ(swr_model_extra_tensor(m, "emap", &info, &emap), SWR_OK);
    ASSERT_NE(emap, nullptr);
    EXPECT_EQ(emap[5], random_values(36, 6)[5]);
    swr_model_release(m);
}

TEST_F(ModelFromMemory, InPlaceUsesAlignedBytesAndRejectsMisalignedOnes) {
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.use_memory_in_place = 1;
    testkit::AlignedBytes aligned(bytes_);
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open_memory(aligned.data(), aligned.size(), &options, &m), SWR_OK)
        << swr_last_error();
    EXPECT_EQ(run_once(m), from_file_);
    // In place: the extra tensor's values are the caller's bytes.
    const float* emap = nullptr;
    ASSERT_EQ(swr_model_extra_tensor(m, "emap", nullptr, &emap), SWR_OK);
    const auto* first = reinterpret_cast<const uint8_t*>(emap);
    EXPECT_GE(first, aligned.data());
    EXPECT_LT(first, aligned.data() + aligned.size());
    swr_model_release(m);

    std::vector<uint8_t> storage(bytes_.size() + 64 + 4);
    auto* start = storage.data() + (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) + 4;
    std::memcpy(start, bytes_.data(), bytes_.size());
    EXPECT_EQ(swr_model_open_memory(start, bytes_.size(), &options, &m),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "64-byte boundary");
    EXPECT_EQ(m, nullptr);
}

TEST_F(ModelFromMemory, DamagedBytesFailWithTheFilesStatusAndMessage) {
    struct Damage {
        const char* what;
        std::vector<uint8_t> bytes;
    };
    std::vector<Damage> cases;
    cases.push_back({"bit flip", bytes_});
    cases.back().bytes[cases.back().bytes.size() - 3] ^= 1;
    cases.push_back({"truncated", std::vector<uint8_t>(bytes_.begin(), bytes_.end() - 100)});
    cases.push_back({"signature", bytes_});
    cases.back().bytes[0] ^= 0xFF;
    cases.push_back({"header only", std::vector<uint8_t>(bytes_.begin(), bytes_.begin() + 16)});
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        const std::string path = dir_.file("damaged.swpk");
        testkit::write_bytes(path, c.bytes);
        swr_model* m = nullptr;
        const swr_status file_status = swr_model_open(path.c_str(), nullptr, &m);
        const std::string file_message = swr_last_error();
        EXPECT_NE(file_status, SWR_OK);
        EXPECT_EQ(m, nullptr);
        for (int in_place = 0; in_place < 2; ++in_place) {
            swr_model_options options{};
            options.struct_size = sizeof(options);
            options.use_memory_in_place = in_place;
            testkit::AlignedBytes aligned(c.bytes);
            EXPECT_EQ(swr_model_open_memory(aligned.data(), aligned.size(), &options, &m),
                      file_status);
            EXPECT_EQ(after_label(swr_last_error()), after_label(file_message));
            EXPECT_CONTAINS(swr_last_error(), "in-memory model");
            EXPECT_EQ(m, nullptr);
        }
    }
}

TEST_F(ModelFromMemory, CppWrapperOpensMemory) {
    const auto model = swaprun::Model::open_memory(std::as_bytes(std::span(bytes_)));
    EXPECT_EQ(run_once(model.get()), from_file_);
    std::vector<uint8_t> cut(bytes_.begin(), bytes_.end() - 1);
    try {
        swaprun::Model::open_memory(std::as_bytes(std::span(cut)));
        FAIL() << "a truncated model opened";
    } catch (const swaprun::ApiError& e) {
        EXPECT_EQ(e.status(), SWR_ERROR_FORMAT);
        EXPECT_CONTAINS(e.what(), "in-memory model");
    }
}

TEST_F(ModelFromMemory, SkipChecksumAppliesToMemoryToo) {
    auto damaged = bytes_;
    damaged[damaged.size() - 3] ^= 1;
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.skip_checksum = 1;
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open_memory(damaged.data(), damaged.size(), &options, &m), SWR_OK)
        << swr_last_error();
    swr_model_release(m);
}

TEST_F(ModelFromMemory, NullAndEmptyInputsAreRejected) {
    swr_model* m = nullptr;
    EXPECT_EQ(swr_model_open_memory(nullptr, 10, nullptr, &m), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "swr_model_open_memory: data is NULL");
    EXPECT_EQ(swr_model_open_memory(bytes_.data(), bytes_.size(), nullptr, nullptr),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_model_open_memory(bytes_.data(), 0, nullptr, &m), SWR_ERROR_FORMAT);
    EXPECT_EQ(m, nullptr);
    swr_model_options options{};
    EXPECT_EQ(swr_model_open_memory(bytes_.data(), bytes_.size(), &options, &m),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "struct_size is 0");
}

// An allocator that counts what it hands out and checks what comes back.
struct CountingAllocator {
    std::mutex mutex;
    std::map<void*, size_t> live;
    size_t allocations = 0;
    size_t largest = 0;
    size_t bytes_allowed = SIZE_MAX;  // a request above this fails
    bool wrong_release = false;

    static void* allocate(void* user, size_t size, size_t alignment) {
        auto* self = static_cast<CountingAllocator*>(user);
        if (size > self->bytes_allowed) return nullptr;
        void* p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
        const std::lock_guard<std::mutex> lock(self->mutex);
        self->live[p] = size;
        ++self->allocations;
        self->largest = std::max(self->largest, size);
        return p;
    }
    static void release(void* user, void* pointer, size_t size) {
        auto* self = static_cast<CountingAllocator*>(user);
        {
            const std::lock_guard<std::mutex> lock(self->mutex);
            const auto it = self->live.find(pointer);
            if (it == self->live.end() || it->second != size) {
                self->wrong_release = true;
            } else {
                self->live.erase(it);
            }
        }
        std::free(pointer);
    }
    swr_allocator c_api() { return swr_allocator{&allocate, &release, this}; }
};

TEST_F(ModelFromMemory, TheAllocatorHoldsTheCopyWeightsAndArena) {
    CountingAllocator counting;
    const swr_allocator allocator = counting.c_api();
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.allocator = &allocator;
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open_memory(bytes_.data(), bytes_.size(), &options, &m), SWR_OK)
        << swr_last_error();
    // The copy of the file is one block of at least its size; plus packed conv weights.
    EXPECT_GE(counting.largest, bytes_.size());
    const size_t after_load = counting.allocations;
    EXPECT_EQ(after_load, 2u);  // the copy, and one block for every convolution's weights
    EXPECT_EQ(run_once(m), from_file_);
    EXPECT_GT(counting.allocations, after_load);  // the context's arena and scratch
    EXPECT_EQ(counting.live.size(), after_load);  // the context's blocks came back
    swr_model_release(m);
    EXPECT_TRUE(counting.live.empty());
    EXPECT_FALSE(counting.wrong_release);

    // Loading from a file: the allocator takes the packed weights (not the mapping).
    CountingAllocator by_path;
    const swr_allocator path_allocator = by_path.c_api();
    options.allocator = &path_allocator;
    ASSERT_EQ(swr_model_open(path_.c_str(), &options, &m), SWR_OK) << swr_last_error();
    EXPECT_EQ(by_path.allocations, 1u);  // one block for every convolution's weights
    EXPECT_LT(by_path.largest, bytes_.size());
    swr_model_release(m);
    EXPECT_TRUE(by_path.live.empty());
    EXPECT_FALSE(by_path.wrong_release);
}

TEST_F(ModelFromMemory, AnAllocatorThatFailsGivesOutOfMemoryAndLeaksNothing) {
    CountingAllocator counting;
    counting.bytes_allowed = 512;  // the weights fit; the copy of the file does not
    const swr_allocator allocator = counting.c_api();
    swr_model_options options{};
    options.struct_size = sizeof(options);
    options.allocator = &allocator;
    swr_model* m = nullptr;
    EXPECT_EQ(swr_model_open_memory(bytes_.data(), bytes_.size(), &options, &m),
              SWR_ERROR_OUT_OF_MEMORY);
    EXPECT_EQ(m, nullptr);
    EXPECT_STREQ(swr_last_error(), "out of memory");

    // The model fits, the context's arena does not.
    counting.bytes_allowed = bytes_.size() + 64;
    ASSERT_EQ(swr_model_open_memory(bytes_.data(), bytes_.size(), &options, &m), SWR_OK)
        << swr_last_error();
    counting.bytes_allowed = 0;
    swr_context* c = nullptr;
    EXPECT_EQ(swr_context_create(m, nullptr, &c), SWR_ERROR_OUT_OF_MEMORY);
    EXPECT_EQ(c, nullptr);
    swr_model_release(m);
    EXPECT_TRUE(counting.live.empty());
    EXPECT_FALSE(counting.wrong_release);

    const swr_allocator incomplete{nullptr, &CountingAllocator::release, &counting};
    options.allocator = &incomplete;
    EXPECT_EQ(swr_model_open(path_.c_str(), &options, &m), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_CONTAINS(swr_last_error(), "allocate is NULL");
}

TEST_F(ModelFromMemory, AnOlderOptionsStructGetsDefaultsForNewerFields) {
    // A caller built when the struct ended after skip_checksum.
    swr_model_options options{};
    options.struct_size = offsetof(swr_model_options, use_memory_in_place);
    options.use_memory_in_place = 1;  // beyond struct_size: must be ignored
    std::vector<uint8_t> storage(bytes_.size() + 1);
    std::memcpy(storage.data() + 1, bytes_.data(), bytes_.size());
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open_memory(storage.data() + 1, bytes_.size(), &options, &m), SWR_OK)
        << swr_last_error();
    swr_model_release(m);
}

// swr_model_options.low_memory: a convolution whose transformed weights the CPU keeps by
// default (one Winograd pass, 700 input channels) keeps its 3x3 kernels instead, a
// quarter of the packed bytes, and gives the same result within rounding.
TEST(LowMemory, KeepsFewerPackedWeightsAndGivesTheSameResult) {
    if (kernels::best_conv_isa() == kernels::ConvIsa::Portable) {
        GTEST_SKIP() << "the portable kernels have no Winograd: nothing to keep";
    }
    const testkit::ModelBuilder b = testkit::wide_conv();
    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("wide.swpk"));
    const auto input = random_values(700 * 24 * 24, 4);

    // The packed weights are the allocator's largest block when the model comes from a
    // file (TheAllocatorHoldsTheCopyWeightsAndArena).
    auto open = [&](bool low_memory, size_t& packed_bytes) {
        CountingAllocator counting;
        const swr_allocator allocator = counting.c_api();
        swr_model_options options{};
        options.struct_size = sizeof(options);
        options.allocator = &allocator;
        options.low_memory = low_memory ? 1 : 0;
        swr_model* m = nullptr;
        EXPECT_EQ(swr_model_open(dir.file("wide.swpk").c_str(), &options, &m), SWR_OK)
            << swr_last_error();
        packed_bytes = counting.largest;
        std::vector<std::vector<float>> outputs;
        for (int threads : {1, 2}) {
            swr_context_options context_options{};
            context_options.struct_size = sizeof(context_options);
            context_options.threads = threads;
            swr_context* c = nullptr;
            EXPECT_EQ(swr_context_create(m, &context_options, &c), SWR_OK) << swr_last_error();
            EXPECT_EQ(swr_context_set_input(c, "x", input.data(), input.size()), SWR_OK);
            EXPECT_EQ(swr_context_run(c), SWR_OK) << swr_last_error();
            const float* out = nullptr;
            size_t n = 0;
            EXPECT_EQ(swr_context_get_output(c, "y", &out, &n), SWR_OK);
            outputs.emplace_back(out, out + n);
            swr_context_release(c);
        }
        swr_model_release(m);
        EXPECT_TRUE(counting.live.empty());
        EXPECT_EQ(outputs[0], outputs[1]) << "low_memory " << low_memory;
        return outputs[0];
    };
    size_t plain_bytes = 0, lean_bytes = 0;
    const std::vector<float> plain = open(false, plain_bytes);
    const std::vector<float> lean = open(true, lean_bytes);
    EXPECT_LT(lean_bytes * 3, plain_bytes);
    EXPECT_LT(testkit::max_relative_error(lean, plain), 1e-4);
}

// Log messages collected by a callback.
struct LogRecorder {
    std::mutex mutex;
    std::vector<std::pair<swr_log_level, std::string>> messages;
    static void callback(void* user, swr_log_level level, const char* message) {
        auto* self = static_cast<LogRecorder*>(user);
        const std::lock_guard<std::mutex> lock(self->mutex);
        self->messages.emplace_back(level, message);
    }
    bool has(swr_log_level level, const std::string& part) {
        for (const auto& [l, text] : messages) {
            if (l == level && text.find(part) != std::string::npos) return true;
        }
        return false;
    }
};

class LogCallback : public ModelFromMemory {
  protected:
    void TearDown() override { swr_set_log_callback(nullptr, nullptr, SWR_LOG_WARNING); }
};

TEST_F(LogCallback, LevelsAboveTheMinimumReachTheCallback) {
    LogRecorder recorder;
    swr_set_log_callback(&LogRecorder::callback, &recorder, SWR_LOG_DEBUG);
    swr_model* m = nullptr;
    ASSERT_EQ(swr_model_open(path_.c_str(), nullptr, &m), SWR_OK);
    EXPECT_TRUE(recorder.has(SWR_LOG_INFO, path_ + ": loaded, "));
    EXPECT_EQ(swr_context_set_input(nullptr, "target", nullptr, 0), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_TRUE(recorder.has(SWR_LOG_DEBUG, "swr_context_set_input: context is NULL"));
    swr_model_release(m);

    recorder.messages.clear();
    swr_set_log_callback(&LogRecorder::callback, &recorder, SWR_LOG_WARNING);
    ASSERT_EQ(swr_model_open(path_.c_str(), nullptr, &m), SWR_OK);
    EXPECT_EQ(swr_context_run(nullptr), SWR_ERROR_INVALID_ARGUMENT);
    swr_model_release(m);
    EXPECT_TRUE(recorder.messages.empty());

    swr_set_log_callback(&LogRecorder::callback, &recorder, SWR_LOG_NONE);
    ASSERT_EQ(swr_model_open(path_.c_str(), nullptr, &m), SWR_OK);
    swr_model_release(m);
    EXPECT_TRUE(recorder.messages.empty());
}

TEST(CApiVersion, NumberAndStringAgreeWithTheHeader) {
    EXPECT_EQ(swr_version_number(), SWR_VERSION_NUMBER);
    const std::string expected = std::to_string(SWR_VERSION_MAJOR) + "." +
                                 std::to_string(SWR_VERSION_MINOR) + "." +
                                 std::to_string(SWR_VERSION_PATCH);
    EXPECT_EQ(swr_version(), expected);
#ifdef SWAPRUN_PROJECT_VERSION
    EXPECT_EQ(expected, SWAPRUN_PROJECT_VERSION)
        << "CMake's project() version and swaprun.h differ";
#endif
}

TEST(CApiStatus, EveryStatusHasANameAndAMessage) {
    for (int s = SWR_OK; s <= SWR_ERROR_INTERNAL; ++s) {
        const auto status = static_cast<swr_status>(s);
        EXPECT_NE(std::string(swr_status_name(status)), "SWR_UNKNOWN_STATUS") << s;
        EXPECT_NE(std::string(swr_status_message(status)), "an unknown status code") << s;
    }
    EXPECT_STREQ(swr_status_message(SWR_OK), "success");
    EXPECT_CONTAINS(swr_status_message(SWR_ERROR_FORMAT), "corrupted");
    EXPECT_STREQ(swr_status_message(static_cast<swr_status>(42)), "an unknown status code");
}

}  // namespace
