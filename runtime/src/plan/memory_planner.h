// Packing buffers with known lifetimes into one arena.
//
// Each buffer is live over an inclusive range of steps (op indices). Two buffers
// whose ranges intersect never overlap in memory; buffers that are never live at the
// same time may share bytes. Placement is greedy by size: the largest buffers are
// placed first, each into the smallest gap (best fit) left between the already
// placed buffers it coexists with, or above them all. Offsets are multiples of the
// alignment. The result is deterministic for a given input.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace swaprun::plan {

struct BufferRequest {
    uint64_t bytes = 0;
    int64_t first = 0;  // first step at which the buffer is live
    int64_t last = 0;   // last step at which it is live (>= first)
};

struct ArenaLayout {
    std::vector<uint64_t> offsets;  // one per request, in request order
    uint64_t arena_bytes = 0;       // a multiple of the alignment
};

ArenaLayout pack_buffers(std::span<const BufferRequest> requests, uint64_t alignment = 64);

}  // namespace swaprun::plan
