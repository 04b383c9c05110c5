// Reading and writing numpy .npy files of float32 values: the tools' tensor format.
// The reader treats the file as hostile: every length is checked against the file,
// the header is parsed by a small strict grammar, and only little-endian float32
// ('<f4') in C order is accepted.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace swaprun::tools {

struct NpyArray {
    std::vector<int64_t> shape;  // () for a scalar
    std::vector<float> values;   // C order
};

// Parses the bytes of a .npy file; `label` (the path) prefixes every message.
// Throws swaprun::Error (Format for malformed or non-float32 files).
NpyArray parse_npy(std::span<const uint8_t> bytes, const std::string& label);

// Reads a .npy file (Io error when it cannot be read).
NpyArray read_npy(const std::string& path);

// The bytes of a version 1.0 .npy header (magic through the padded dict) for a
// float32 array of `shape`; the values follow it directly, 64-byte aligned.
std::vector<uint8_t> npy_header(std::span<const int64_t> shape);

// Writes a .npy file atomically (temporary file, then rename).
void write_npy(const std::string& path, std::span<const int64_t> shape,
               std::span<const float> values);

}  // namespace swaprun::tools
