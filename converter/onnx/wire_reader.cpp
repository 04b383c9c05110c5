#include "converter/onnx/wire_reader.h"

#include <cstring>
#include <vector>

#include "util/error.h"

namespace swaprun::onnx {

WireReader::WireReader(std::span<const uint8_t> bytes, uint64_t base_offset, std::string file,
                       std::string what)
    : bytes_(bytes), base_offset_(base_offset), file_(std::move(file)), what_(std::move(what)) {}

void WireReader::fail(const std::string& message) const {
    throw Error(ErrorKind::Format, file_ + ": malformed " + what_ + " at byte offset " +
                                       std::to_string(offset()) + ": " + message);
}

std::span<const uint8_t> WireReader::take(uint64_t count) {
    if (count > bytes_.size() - position_) {
        fail("a field of " + std::to_string(count) + " bytes runs past the end of its message (" +
             std::to_string(bytes_.size() - position_) +
             " bytes left); the file is truncated or "
             "corrupted");
    }
    auto out = bytes_.subspan(position_, count);
    position_ += count;
    return out;
}

uint64_t WireReader::read_varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (at_end()) fail("varint runs past the end of its message");
        uint8_t byte = bytes_[position_++];
        value |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return value;
    }
    fail("varint longer than 10 bytes");
}

uint32_t WireReader::read_fixed32() {
    auto b = take(4);
    uint32_t v;
    std::memcpy(&v, b.data(), 4);
    return v;
}

uint64_t WireReader::read_fixed64() {
    auto b = take(8);
    uint64_t v;
    std::memcpy(&v, b.data(), 8);
    return v;
}

float WireReader::read_float() {
    uint32_t bits = read_fixed32();
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

double WireReader::read_double() {
    uint64_t bits = read_fixed64();
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
}

bool WireReader::next_field(uint32_t& field, WireType& type) {
    if (at_end()) return false;
    uint64_t key = read_varint();
    uint64_t number = key >> 3;
    uint32_t wire = static_cast<uint32_t>(key & 7);
    if (number == 0 || number > 0x1fffffff) fail("invalid field number " + std::to_string(number));
    if (wire != 0 && wire != 1 && wire != 2 && wire != 5) {
        fail("unsupported wire type " + std::to_string(wire) + " for field " +
             std::to_string(number));
    }
    field = static_cast<uint32_t>(number);
    type = static_cast<WireType>(wire);
    return true;
}

std::span<const uint8_t> WireReader::read_bytes() {
    uint64_t length = read_varint();
    return take(length);
}

WireReader WireReader::read_message(std::string_view what) {
    auto bytes = read_bytes();
    // The payload ends where the reader now stands.
    return WireReader(bytes, offset() - bytes.size(), file_, std::string(what));
}

std::string WireReader::read_string() {
    auto b = read_bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void WireReader::skip(WireType type) {
    switch (type) {
        case WireType::Varint:
            read_varint();
            break;
        case WireType::Fixed64:
            take(8);
            break;
        case WireType::Fixed32:
            take(4);
            break;
        case WireType::LengthDelimited:
            read_bytes();
            break;
    }
}

void WireReader::read_repeated_int64(WireType type, std::vector<int64_t>& out) {
    if (type == WireType::Varint) {
        out.push_back(read_int64());
        return;
    }
    if (type != WireType::LengthDelimited)
        fail("repeated integer field with a fixed-size encoding");
    WireReader packed = read_message(what_);
    while (!packed.at_end()) out.push_back(packed.read_int64());
}

void WireReader::read_repeated_float(WireType type, std::vector<float>& out) {
    if (type == WireType::Fixed32) {
        out.push_back(read_float());
        return;
    }
    if (type != WireType::LengthDelimited) fail("repeated float field with a wrong encoding");
    auto bytes = read_bytes();
    if (bytes.size() % 4 != 0) fail("packed float field whose length is not a multiple of 4");
    size_t first = out.size();
    out.resize(first + bytes.size() / 4);
    // An empty packed field leaves nothing to copy (memcpy of null is undefined).
    if (!bytes.empty()) std::memcpy(out.data() + first, bytes.data(), bytes.size());
}

void WireReader::read_repeated_double(WireType type, std::vector<double>& out) {
    if (type == WireType::Fixed64) {
        out.push_back(read_double());
        return;
    }
    if (type != WireType::LengthDelimited) fail("repeated double field with a wrong encoding");
    auto bytes = read_bytes();
    if (bytes.size() % 8 != 0) fail("packed double field whose length is not a multiple of 8");
    size_t first = out.size();
    out.resize(first + bytes.size() / 8);
    if (!bytes.empty()) std::memcpy(out.data() + first, bytes.data(), bytes.size());
}

}  // namespace swaprun::onnx
