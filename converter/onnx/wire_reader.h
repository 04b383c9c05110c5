// A bounds-checked reader of the protobuf wire format: just enough of it to decode
// ONNX files without a protobuf library. Every read checks the remaining length;
// malformed input throws swaprun::Error (Format) naming the byte offset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace swaprun::onnx {

enum class WireType : uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

class WireReader {
  public:
    // `base_offset` is where `bytes` starts in the file, so messages give file offsets;
    // `file` names the file and `what` the message being read, for the same purpose.
    WireReader(std::span<const uint8_t> bytes, uint64_t base_offset, std::string file,
               std::string what);

    bool at_end() const { return position_ >= bytes_.size(); }
    uint64_t offset() const { return base_offset_ + position_; }

    // Reads the next field key; returns false at the end of the message.
    bool next_field(uint32_t& field, WireType& type);

    uint64_t read_varint();
    int64_t read_int64() { return static_cast<int64_t>(read_varint()); }
    uint32_t read_fixed32();
    uint64_t read_fixed64();
    float read_float();
    double read_double();
    // A length-delimited field's payload, as a sub-reader or raw bytes.
    WireReader read_message(std::string_view what);
    std::span<const uint8_t> read_bytes();
    std::string read_string();

    // Skips a field of the given type (used for fields this decoder does not need).
    void skip(WireType type);

    // Appends a repeated scalar field that may be packed or not.
    void read_repeated_int64(WireType type, std::vector<int64_t>& out);
    void read_repeated_float(WireType type, std::vector<float>& out);
    void read_repeated_double(WireType type, std::vector<double>& out);

    [[noreturn]] void fail(const std::string& message) const;

  private:
    std::span<const uint8_t> take(uint64_t count);

    std::span<const uint8_t> bytes_;
    uint64_t base_offset_;
    uint64_t position_ = 0;
    std::string file_;
    std::string what_;
};

}  // namespace swaprun::onnx
