// The .swpk container, byte for byte. All integers little-endian; readers copy fields
// out with memcpy (no alignment is assumed of anything but tensor data).
//
//   [0, 64)            FileHeader
//   section table      section_count x SectionEntry (32 bytes each)
//   sections           each starts on a 64-byte boundary
//
// Sections (each at most once; all but Data are required):
//   Strings   NUL-terminated UTF-8 strings back to back; other sections refer to a
//             string by its byte offset in this section.
//   Tensors   u32 count, then count x TensorRecord (88 bytes).
//   Graph     u32 input_count, u32 inputs[input_count], u32 output_count,
//             u32 outputs[output_count], u32 op_count, then op_count op records:
//               u32 type, u32 name, u32 input_count, u32 output_count, u32 attribute_count,
//               u32 inputs[], u32 outputs[], then attribute_count attributes:
//                 u32 name, u32 kind (0: int64 list, 1: float32 list), u32 count,
//                 count x i64 or count x f32.
//   Metadata  u32 count, then count x (u32 key, u32 value) string pairs.
//   Data      tensor bytes; every tensor's offset (relative to the file start) is a
//             multiple of 64, so a mapping of the file is used in place.
//
// The checksum is checksum64() over the whole file with the checksum field read as
// zero. The format version changes whenever any of this does.
#pragma once

#include <cstdint>

namespace swaprun::format {

inline constexpr char kMagic[8] = {'S', 'W', 'P', 'K', '\r', '\n', 0x1a, '\n'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint64_t kTensorAlignment = 64;
inline constexpr uint32_t kMaxRank = 8;

enum class SectionKind : uint32_t { Strings = 1, Tensors = 2, Graph = 3, Metadata = 4, Data = 5 };

// Field offsets inside the 64-byte header.
struct FileHeaderLayout {
    static constexpr uint64_t kMagic = 0;           // 8 bytes
    static constexpr uint64_t kVersion = 8;         // u32
    static constexpr uint64_t kHeaderSize = 12;     // u32, = 64
    static constexpr uint64_t kFileSize = 16;       // u64, the whole file
    static constexpr uint64_t kSectionTable = 24;   // u64, offset of the section table
    static constexpr uint64_t kSectionCount = 32;   // u32
    static constexpr uint64_t kFlags = 36;          // u32, 0
    static constexpr uint64_t kChecksum = 40;       // u64
    static constexpr uint64_t kSize = 64;           // bytes 48..63 are zero
};

// One entry of the section table (32 bytes).
struct SectionEntryLayout {
    static constexpr uint64_t kKind = 0;     // u32 SectionKind
    static constexpr uint64_t kOffset = 8;   // u64, from the file start
    static constexpr uint64_t kSize = 16;    // u64, bytes
    static constexpr uint64_t kBytes = 32;   // bytes 4..7 and 24..31 are zero
};

// One tensor record (88 bytes).
struct TensorRecordLayout {
    static constexpr uint64_t kName = 0;        // u32 string offset
    static constexpr uint64_t kRole = 4;        // u8 TensorRole
    static constexpr uint64_t kDataType = 5;    // u8 DataType
    static constexpr uint64_t kLayout = 6;      // u8 TensorLayout
    static constexpr uint64_t kRank = 7;        // u8
    static constexpr uint64_t kDims = 8;        // 8 x i64, unused ones zero
    static constexpr uint64_t kDataOffset = 72; // u64 from the file start (0 if no data)
    static constexpr uint64_t kDataBytes = 80;  // u64
    static constexpr uint64_t kBytes = 88;
};

}  // namespace swaprun::format
