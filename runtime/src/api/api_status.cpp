// Version, status names and the per-thread last-error text.
#include "api/api_status.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/log.h"

namespace swaprun::api {
namespace {

// A fixed buffer: recording an error must not itself fail (no allocation), and the
// text stays valid until this thread's next failing call. Longer messages are cut.
constexpr size_t kMessageCapacity = 4096;
thread_local char last_error[kMessageCapacity] = "";

}  // namespace

void set_last_error(const char* message) noexcept {
    const size_t n = std::min(std::strlen(message), kMessageCapacity - 1);
    std::memcpy(last_error, message, n);
    last_error[n] = '\0';
    if (log_enabled(LogLevel::Debug)) {
        try {
            log(LogLevel::Debug, std::string("call failed: ") + last_error);
        } catch (...) {  // no memory for the message: the status still says it
        }
    }
}

swr_status status_of(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::InvalidArgument:
            return SWR_ERROR_INVALID_ARGUMENT;
        case ErrorKind::Io:
            return SWR_ERROR_IO;
        case ErrorKind::Format:
            return SWR_ERROR_FORMAT;
        case ErrorKind::Unsupported:
            return SWR_ERROR_UNSUPPORTED;
        case ErrorKind::OutOfMemory:
            return SWR_ERROR_OUT_OF_MEMORY;
        case ErrorKind::Internal:
            return SWR_ERROR_INTERNAL;
    }
    return SWR_ERROR_INTERNAL;
}

}  // namespace swaprun::api

#define SWR_STRINGIFY2(x) #x
#define SWR_STRINGIFY(x) SWR_STRINGIFY2(x)

extern "C" {

const char* swr_version(void) {
    return SWR_STRINGIFY(SWR_VERSION_MAJOR) "." SWR_STRINGIFY(SWR_VERSION_MINOR) "." SWR_STRINGIFY(
        SWR_VERSION_PATCH);
}

int32_t swr_version_number(void) {
    return SWR_VERSION_MAJOR * 10000 + SWR_VERSION_MINOR * 100 + SWR_VERSION_PATCH;
}

const char* swr_last_error(void) { return swaprun::api::last_error; }

const char* swr_status_message(swr_status status) {
    switch (status) {
        case SWR_OK:
            return "success";
        case SWR_ERROR_INVALID_ARGUMENT:
            return "an argument is wrong: a null pointer, a name, shape, size, index or option "
                   "the model or the call does not accept";
        case SWR_ERROR_IO:
            return "a file could not be opened, read, mapped or written";
        case SWR_ERROR_FORMAT:
            return "the model is malformed, corrupted or of another format version";
        case SWR_ERROR_UNSUPPORTED:
            return "the request is valid but this build or machine cannot do it (a missing "
                   "Vulkan device, an unsupported precision)";
        case SWR_ERROR_OUT_OF_MEMORY:
            return "memory could not be allocated";
        case SWR_ERROR_INTERNAL:
            return "an internal error (a bug in the library)";
    }
    return "an unknown status code";
}

void swr_set_log_callback(swr_log_callback callback, void* user_data, swr_log_level min_level) {
    const int level = static_cast<int>(min_level);
    const auto clamped = static_cast<swaprun::LogLevel>(
        std::clamp(level, static_cast<int>(SWR_LOG_DEBUG), static_cast<int>(SWR_LOG_NONE)));
    swaprun::set_log_sink(callback, user_data, clamped);
}

const char* swr_status_name(swr_status status) {
    switch (status) {
        case SWR_OK:
            return "SWR_OK";
        case SWR_ERROR_INVALID_ARGUMENT:
            return "SWR_ERROR_INVALID_ARGUMENT";
        case SWR_ERROR_IO:
            return "SWR_ERROR_IO";
        case SWR_ERROR_FORMAT:
            return "SWR_ERROR_FORMAT";
        case SWR_ERROR_UNSUPPORTED:
            return "SWR_ERROR_UNSUPPORTED";
        case SWR_ERROR_OUT_OF_MEMORY:
            return "SWR_ERROR_OUT_OF_MEMORY";
        case SWR_ERROR_INTERNAL:
            return "SWR_ERROR_INTERNAL";
    }
    return "SWR_UNKNOWN_STATUS";
}

}  // extern "C"
