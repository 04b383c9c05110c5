// Message building without <format> (not available in the project's g++ 12).
#pragma once

#include <cstdint>
#include <span>
#include <sstream>
#include <string>

namespace swaprun {

// Concatenates the stream representations of its arguments.
template <class... Args>
std::string str_cat(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
}

// "[1, 3, 128, 128]"; "[]" for a scalar.
inline std::string shape_string(std::span<const int64_t> dims) {
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < dims.size(); ++i) out << (i ? ", " : "") << dims[i];
    out << ']';
    return out.str();
}

}  // namespace swaprun
