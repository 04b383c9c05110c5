// Storage for a model's prepared (packed, Winograd-transformed) weights. They all
// live exactly as long as the model, so instead of one allocation each they are
// carved out of one block that the model sizes for them all in advance
// (PreparedConv2d::storage_bytes): a model of 18 Winograd layers then faults its
// weights in as a handful of large pages rather than thousands of small ones (most
// of its load time otherwise), and an application's allocator sees one request.
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/allocator.h"

namespace swaprun::engine {

class WeightPool {
  public:
    // Chunks of chunk_bytes come from `upstream` as needed; a request larger than
    // chunk_bytes gets a chunk of its own.
    explicit WeightPool(const Allocator& upstream, size_t chunk_bytes = size_t{32} << 20);
    WeightPool(const WeightPool&) = delete;
    WeightPool& operator=(const WeightPool&) = delete;

    // An Allocator that hands out pieces of the pool; its release does nothing (the
    // chunks go when the pool does). It refers to this pool, which must outlive
    // every block it hands out, and is not thread-safe: the model prepares its
    // weights on one thread.
    Allocator allocator();

    // Bytes held in chunks (for tests and reports).
    size_t reserved_bytes() const;

  private:
    void* allocate(size_t size, size_t alignment);

    Allocator upstream_;
    size_t chunk_bytes_;
    std::vector<AllocatedBlock> chunks_;
    size_t used_ = 0;  // bytes handed out from the last chunk
};

}  // namespace swaprun::engine
