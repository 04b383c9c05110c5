// An owned, zero-initialized, 64-byte aligned float buffer: the activation arena.
// Aligned so that every planned offset (a multiple of 64) is aligned for SIMD loads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace swaprun {

class AlignedFloatBuffer {
  public:
    static constexpr size_t kAlignment = 64;

    AlignedFloatBuffer() = default;
    // bytes is rounded up to the alignment; throws std::bad_alloc on failure.
    explicit AlignedFloatBuffer(size_t bytes) {
        if (bytes == 0) return;
        const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
        if (rounded < bytes) throw std::bad_alloc();
        void* p = std::aligned_alloc(kAlignment, rounded);
        if (p == nullptr) throw std::bad_alloc();
        data_.reset(static_cast<float*>(p));
        size_ = rounded;
        // Touch every page now, at context creation, not during the first run; zeros
        // also make any never-written tail deterministic.
        std::fill_n(reinterpret_cast<unsigned char*>(p), rounded, static_cast<unsigned char>(0));
    }

    float* data() { return data_.get(); }
    const float* data() const { return data_.get(); }
    size_t bytes() const { return size_; }

  private:
    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float, Free> data_;
    size_t size_ = 0;
};

}  // namespace swaprun
