// One pass over a file, front to back, through one reused buffer: how the loader
// reads the bytes it needs in full (the checksum's, the weights it packs) without
// reading them through the mapping (see platform/file_mapping.h for why).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "platform/file_mapping.h"

namespace swaprun::format {

struct ByteRange {
    uint64_t offset = 0;
    uint64_t bytes = 0;
};

// Bytes of the file from `offset` on, each byte exactly once, in file order.
using FileBytesSink = std::function<void(uint64_t offset, std::span<const uint8_t> bytes)>;
// Range `index` of the wanted list, whole; the bytes are valid during the call only.
using RangeSink = std::function<void(size_t index, std::span<const uint8_t> bytes)>;

// Reads `file` once in offset order. Each of `wanted` (sorted by offset; they may
// overlap) arrives whole in `buffer` and goes to `use`. With a `hash` sink, every byte
// of the file goes to it in order, so ranges and the gaps between them are read; without
// one, only the ranges are. `buffer` must hold the largest range (InvalidArgument
// otherwise) and bounds each read of a gap. Read errors throw as FileMapping::read_at.
void read_file_in_order(const platform::FileMapping& file, std::span<const ByteRange> wanted,
                        std::span<uint8_t> buffer, const FileBytesSink& hash, const RangeSink& use);

}  // namespace swaprun::format
