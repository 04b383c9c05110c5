// Little-endian field access for the .swpk layout. Fields are copied with memcpy:
// nothing in the file but tensor data is assumed aligned. (The host is little-endian;
// checksum64.cpp asserts it.)
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace swaprun::format {

template <class T>
inline T load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

template <class T>
inline void store(uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof(T));
}

// Appends a value's bytes to a growing section.
template <class T>
inline void append(std::vector<uint8_t>& out, T v) {
    const size_t at = out.size();
    out.resize(at + sizeof(T));
    std::memcpy(out.data() + at, &v, sizeof(T));
}

}  // namespace swaprun::format
