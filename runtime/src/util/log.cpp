// The log sink: one per process, guarded by a mutex so that the callback is never
// called concurrently and can be replaced from any thread.
#include "util/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace swaprun {
namespace {

const char* level_word(LogLevel level) {
    switch (level) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warning:
            return "warning";
        case LogLevel::Error:
            return "error";
        case LogLevel::None:
            break;
    }
    return "?";
}

struct Sink {
    std::mutex mutex;
    swr_log_callback callback = nullptr;  // null: standard error
    void* user = nullptr;
    // Read without the mutex by log_enabled(), so that a disabled level costs no lock.
    std::atomic<int> min_level{static_cast<int>(LogLevel::Warning)};
};

Sink& sink() {
    static Sink s;
    return s;
}

}  // namespace

void set_log_sink(swr_log_callback callback, void* user, LogLevel min_level) noexcept {
    Sink& s = sink();
    const std::lock_guard<std::mutex> lock(s.mutex);
    s.callback = callback;
    s.user = user;
    s.min_level.store(static_cast<int>(min_level), std::memory_order_relaxed);
}

bool log_enabled(LogLevel level) noexcept {
    return level != LogLevel::None &&
           static_cast<int>(level) >= sink().min_level.load(std::memory_order_relaxed);
}

void log(LogLevel level, const std::string& message) noexcept {
    if (!log_enabled(level)) return;
    Sink& s = sink();
    const std::lock_guard<std::mutex> lock(s.mutex);
    if (static_cast<int>(level) < s.min_level.load(std::memory_order_relaxed)) return;
    if (s.callback != nullptr) {
        s.callback(s.user, static_cast<swr_log_level>(level), message.c_str());
    } else {
        std::fprintf(stderr, "swaprun: %s: %s\n", level_word(level), message.c_str());
    }
}

}  // namespace swaprun
