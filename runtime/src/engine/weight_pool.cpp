#include "engine/weight_pool.h"

#include <cstdint>
#include <new>
#include <utility>

namespace swaprun::engine {

WeightPool::WeightPool(const Allocator& upstream, size_t chunk_bytes)
    : upstream_(upstream), chunk_bytes_(chunk_bytes) {}

Allocator WeightPool::allocator() {
    Allocator a;
    a.allocate = [](void* user, size_t size, size_t alignment) -> void* {
        try {
            return static_cast<WeightPool*>(user)->allocate(size, alignment);
        } catch (const std::bad_alloc&) {
            return nullptr;  // the Allocator contract: null, not an exception
        }
    };
    a.release = [](void*, void*, size_t) {};
    a.user = this;
    return a;
}

size_t WeightPool::reserved_bytes() const {
    size_t total = 0;
    for (const auto& c : chunks_) total += c.bytes();
    return total;
}

void* WeightPool::allocate(size_t size, size_t alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 ||
        alignment > AllocatedBlock::kAlignment) {
        return nullptr;  // chunks are only 64-byte aligned
    }
    if (!chunks_.empty()) {
        const size_t start = (used_ + alignment - 1) / alignment * alignment;
        const AllocatedBlock& last = chunks_.back();
        if (start <= last.bytes() && size <= last.bytes() - start) {
            used_ = start + size;
            return static_cast<uint8_t*>(last.data()) + start;
        }
    }
    if (size > chunk_bytes_) {
        // A chunk of its own, placed before the last one, whose rest stays in use.
        AllocatedBlock own(size, upstream_);
        void* p = own.data();
        chunks_.insert(chunks_.empty() ? chunks_.end() : chunks_.end() - 1, std::move(own));
        return p;
    }
    chunks_.emplace_back(chunk_bytes_, upstream_);
    used_ = size;
    return chunks_.back().data();
}

}  // namespace swaprun::engine
