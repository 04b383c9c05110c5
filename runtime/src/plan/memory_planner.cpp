#include "plan/memory_planner.h"

#include <algorithm>
#include <limits>
#include <new>
#include <numeric>

#include "util/checked_math.h"

namespace swaprun::plan {

ArenaLayout pack_buffers(std::span<const BufferRequest> requests, uint64_t alignment) {
    const size_t n = requests.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
        return requests[a].first < requests[b].first;
    });

    ArenaLayout layout;
    layout.offsets.assign(n, 0);
    std::vector<size_t> placed;  // indices into requests, sorted by offset
    placed.reserve(n);
    for (size_t index : order) {
        const BufferRequest& r = requests[index];
        const uint64_t need = align_up(r.bytes, alignment);
        if (need < r.bytes) throw std::bad_alloc();  // only from absurd sizes
        uint64_t best_offset = 0;
        uint64_t best_gap = std::numeric_limits<uint64_t>::max();
        bool found = false;
        uint64_t cursor = 0;  // end of the highest coexisting buffer seen so far
        for (size_t other : placed) {
            const BufferRequest& o = requests[other];
            if (o.last < r.first || r.last < o.first) continue;  // never live together
            const uint64_t at = layout.offsets[other];
            if (at > cursor) {
                const uint64_t gap = at - cursor;
                if (gap >= need && gap < best_gap) {
                    best_gap = gap;
                    best_offset = cursor;
                    found = true;
                }
            }
            cursor = std::max(cursor, align_up(at + o.bytes, alignment));
        }
        const uint64_t offset = found ? best_offset : cursor;
        const auto end = checked_add(offset, need);
        if (!end) throw std::bad_alloc();
        layout.offsets[index] = offset;
        layout.arena_bytes = std::max(layout.arena_bytes, *end);
        const auto pos =
            std::upper_bound(placed.begin(), placed.end(), offset,
                             [&](uint64_t value, size_t p) { return value < layout.offsets[p]; });
        placed.insert(pos, index);
    }
    return layout;
}

}  // namespace swaprun::plan
