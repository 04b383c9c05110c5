// XXH64 (seed 0); see checksum64.h for why this algorithm.
#include "format/checksum64.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "format/swpk_io.h"

namespace swaprun::format {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the .swpk format and its checksum assume a little-endian host");

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kPrime5 = 0x27D4EB2F165667C5ULL;

inline uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

inline uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

inline uint64_t round(uint64_t lane, uint64_t input) {
    lane += input * kPrime2;
    lane = std::rotl(lane, 31);
    return lane * kPrime1;
}

inline uint64_t merge(uint64_t hash, uint64_t lane) {
    hash ^= round(0, lane);
    return hash * kPrime1 + kPrime4;
}

// One 32-byte stripe: 8 bytes into each lane.
inline void stripe(std::array<uint64_t, 4>& lanes, const uint8_t* p) {
    lanes[0] = round(lanes[0], load64(p));
    lanes[1] = round(lanes[1], load64(p + 8));
    lanes[2] = round(lanes[2], load64(p + 16));
    lanes[3] = round(lanes[3], load64(p + 24));
}

}  // namespace

Checksum64::Checksum64() : lanes_{kPrime1 + kPrime2, kPrime2, 0, 0 - kPrime1} {}

void Checksum64::update(const uint8_t* data, uint64_t size) {
    total_ += size;
    if (pending_size_ > 0) {
        const uint64_t take = std::min<uint64_t>(size, 32 - pending_size_);
        std::memcpy(pending_.data() + pending_size_, data, static_cast<size_t>(take));
        pending_size_ += static_cast<uint32_t>(take);
        data += take;
        size -= take;
        if (pending_size_ < 32) return;
        stripe(lanes_, pending_.data());
        pending_size_ = 0;
    }
    // Local copies let the compiler keep the four lanes in registers.
    std::array<uint64_t, 4> lanes = lanes_;
    while (size >= 32) {
        stripe(lanes, data);
        data += 32;
        size -= 32;
    }
    lanes_ = lanes;
    if (size > 0) {
        std::memcpy(pending_.data(), data, static_cast<size_t>(size));
        pending_size_ = static_cast<uint32_t>(size);
    }
}

uint64_t Checksum64::digest() const {
    uint64_t h;
    if (total_ >= 32) {
        h = std::rotl(lanes_[0], 1) + std::rotl(lanes_[1], 7) + std::rotl(lanes_[2], 12) +
            std::rotl(lanes_[3], 18);
        for (uint64_t lane : lanes_) h = merge(h, lane);
    } else {
        h = kPrime5;
    }
    h += total_;

    const uint8_t* p = pending_.data();
    uint32_t left = pending_size_;
    while (left >= 8) {
        h ^= round(0, load64(p));
        h = std::rotl(h, 27) * kPrime1 + kPrime4;
        p += 8;
        left -= 8;
    }
    if (left >= 4) {
        h ^= static_cast<uint64_t>(load32(p)) * kPrime1;
        h = std::rotl(h, 23) * kPrime2 + kPrime3;
        p += 4;
        left -= 4;
    }
    while (left > 0) {
        h ^= static_cast<uint64_t>(*p) * kPrime5;
        h = std::rotl(h, 11) * kPrime1;
        ++p;
        --left;
    }
    h ^= h >> 33;
    h *= kPrime2;
    h ^= h >> 29;
    h *= kPrime3;
    h ^= h >> 32;
    return h;
}

uint64_t checksum64(const uint8_t* data, uint64_t size) {
    Checksum64 c;
    c.update(data, size);
    return c.digest();
}

}  // namespace swaprun::format
