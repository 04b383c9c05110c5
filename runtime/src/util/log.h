// The library's log: messages outside a failed call's status (what was loaded, on
// which device, a fallback taken). Sent to the application's callback
// (swr_set_log_callback) or, by default, to standard error from Warning up.
#pragma once

#include <string>

#include "swaprun/swaprun.h"

namespace swaprun {

enum class LogLevel : int { Debug = 0, Info = 1, Warning = 2, Error = 3, None = 4 };

// The sink: the application's callback (null: standard error) and the lowest level
// it receives.
void set_log_sink(swr_log_callback callback, void* user, LogLevel min_level) noexcept;

// Whether a message at `level` would go anywhere (to skip building it otherwise).
bool log_enabled(LogLevel level) noexcept;
// Delivers the message; never throws (a message that cannot be built or delivered
// is dropped: logging must not fail the operation it describes).
void log(LogLevel level, const std::string& message) noexcept;

}  // namespace swaprun
