// Where the library's large buffers come from: packed weights, activation arenas,
// scratch, in-memory model copies. An embedding application may supply its own
// functions (swr_allocator in the C API); without them, the C library's
// aligned_alloc/free. Small bookkeeping (descriptions, names, handles) stays on the
// C++ heap: the allocator is for the memory that matters in size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

namespace swaprun {

struct Allocator {
    // allocate(user, size, alignment): size bytes (size > 0) aligned to alignment
    // (a power of two, at least 64), or null. release(user, pointer, size) frees
    // what allocate returned. Both null: aligned_alloc/free.
    void* (*allocate)(void* user, size_t size, size_t alignment) = nullptr;
    void (*release)(void* user, void* pointer, size_t size) = nullptr;
    void* user = nullptr;

    bool is_default() const { return allocate == nullptr; }
};

// One block from an Allocator, released on destruction. Move-only.
class AllocatedBlock {
  public:
    static constexpr size_t kAlignment = 64;

    AllocatedBlock() = default;
    // bytes is rounded up to the alignment (at least one alignment unit); throws
    // std::bad_alloc when the allocator returns null or the size overflows.
    AllocatedBlock(size_t bytes, const Allocator& allocator) : allocator_(allocator) {
        const size_t wanted = bytes == 0 ? 1 : bytes;
        const size_t rounded = (wanted + kAlignment - 1) / kAlignment * kAlignment;
        if (rounded < wanted) throw std::bad_alloc();
        void* p = allocator_.is_default()
                      ? std::aligned_alloc(kAlignment, rounded)
                      : allocator_.allocate(allocator_.user, rounded, kAlignment);
        if (p == nullptr) throw std::bad_alloc();
        if (reinterpret_cast<uintptr_t>(p) % kAlignment != 0) {
            free_block(allocator_, p, rounded);
            throw std::bad_alloc();  // an allocator that broke its contract
        }
        data_ = p;
        size_ = rounded;
    }
    AllocatedBlock(AllocatedBlock&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)),
          allocator_(other.allocator_) {}
    AllocatedBlock& operator=(AllocatedBlock&& other) noexcept {
        if (this != &other) {
            reset();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
            allocator_ = other.allocator_;
        }
        return *this;
    }
    AllocatedBlock(const AllocatedBlock&) = delete;
    AllocatedBlock& operator=(const AllocatedBlock&) = delete;
    ~AllocatedBlock() { reset(); }

    void* data() const { return data_; }
    size_t bytes() const { return size_; }

  private:
    static void free_block(const Allocator& allocator, void* p, size_t size) noexcept {
        if (allocator.is_default()) {
            std::free(p);
        } else if (allocator.release != nullptr) {
            allocator.release(allocator.user, p, size);
        }
    }
    void reset() noexcept {
        if (data_ != nullptr) free_block(allocator_, data_, size_);
        data_ = nullptr;
        size_ = 0;
    }

    void* data_ = nullptr;
    size_t size_ = 0;
    Allocator allocator_;
};

}  // namespace swaprun
