// The one exception type used inside the library and the tools. It never crosses the
// C API: the API boundary turns it into a status code and the last-error text.
#pragma once

#include <stdexcept>
#include <string>

namespace swaprun {

enum class ErrorKind {
    InvalidArgument,  // a caller passed something wrong (name, shape, option)
    Io,               // a file could not be opened, read, mapped or written
    Format,           // a file is malformed, truncated, corrupted or of another version
    Unsupported,      // well-formed, but uses something this build does not implement
    OutOfMemory,
    Internal,
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace swaprun
