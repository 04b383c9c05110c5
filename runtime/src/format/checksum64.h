// The file checksum, incrementally: the writer hashes the file as it streams it out.
//
// The algorithm is XXH64 with seed 0 (Yann Collet's xxHash, 64-bit variant), so a
// file can be checked with any xxHash implementation (xxhsum -H64 after zeroing the
// checksum field). Four independent 64-bit lanes each take 8 bytes per round
// (multiply, rotate, multiply); the lanes run in parallel in the CPU's pipelines, so
// it hashes at memory speed (several GB/s per core). It is an integrity check
// against damage, not a defence against deliberate tampering.
#pragma once

#include <array>
#include <cstdint>

namespace swaprun::format {

class Checksum64 {
  public:
    Checksum64();
    void update(const uint8_t* data, uint64_t size);
    // The checksum of everything passed to update() so far (the state is unchanged).
    uint64_t digest() const;

  private:
    std::array<uint64_t, 4> lanes_;
    std::array<uint8_t, 32> pending_{};  // bytes of a stripe not yet complete
    uint32_t pending_size_ = 0;
    uint64_t total_ = 0;
};

}  // namespace swaprun::format
