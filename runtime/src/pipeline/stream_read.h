// Bounded reads from a std::istream for the frame readers: a line up to a length limit,
// and a block of bytes into a buffer that grows only as the bytes arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace swaprun::pipeline {

enum class LineResult {
    Complete,   // a '\n' ended the line (it is not stored)
    Empty,      // the stream ended before any byte
    Truncated,  // the stream ended inside the line
    TooLong,    // max_bytes came without a '\n'
};

LineResult read_line(std::istream& in, size_t max_bytes, std::string& line);

// Reads `count` bytes into `out` (resized to what arrived); returns how many arrived.
// Unless `out` already has the capacity, it grows in pieces of at most 1 MiB as bytes
// come, so that a size claimed by a header allocates nothing by itself.
size_t read_exactly(std::istream& in, uint64_t count, std::vector<uint8_t>& out);

}  // namespace swaprun::pipeline
