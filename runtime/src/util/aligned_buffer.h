// An owned, zero-initialized, 64-byte aligned float buffer: the activation arena.
// Aligned so that every planned offset (a multiple of 64) is aligned for SIMD loads.
#pragma once

#include <algorithm>
#include <cstddef>

#include "kernels/allocator.h"

namespace swaprun {

class AlignedFloatBuffer {
  public:
    static constexpr size_t kAlignment = AllocatedBlock::kAlignment;

    AlignedFloatBuffer() = default;
    // bytes is rounded up to the alignment; from `allocator` (the default:
    // aligned_alloc); throws std::bad_alloc on failure.
    explicit AlignedFloatBuffer(size_t bytes, const Allocator& allocator = {}) {
        if (bytes == 0) return;
        block_ = AllocatedBlock(bytes, allocator);
        // Touch every page now, at context creation, not during the first run; zeros
        // also make any never-written tail deterministic.
        std::fill_n(static_cast<unsigned char*>(block_.data()), block_.bytes(),
                    static_cast<unsigned char>(0));
    }

    float* data() { return static_cast<float*>(block_.data()); }
    const float* data() const { return static_cast<const float*>(block_.data()); }
    size_t bytes() const { return block_.bytes(); }

  private:
    AllocatedBlock block_;
};

}  // namespace swaprun
