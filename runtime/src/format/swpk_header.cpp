// The reader's first stage: magic, version, header fields, checksum, section table.
// Nothing beyond the header is trusted until this stage has passed, except where the
// checksum is deferred (ReadOptions::defer_checksum): then the records are checked
// structurally, as they always are, and the checksum comes with the weights' pass.
#include <algorithm>
#include <cstring>
#include <vector>

#include "format/checksum64.h"
#include "format/swpk_layout.h"
#include "format/swpk_parse.h"
#include "util/checked_math.h"

namespace swaprun::format::detail {
namespace {

// Sections may not be many: five kinds, each at most once.
constexpr uint32_t kMaxSections = 5;

const char* section_name(uint32_t kind) {
    switch (static_cast<SectionKind>(kind)) {
        case SectionKind::Strings:
            return "Strings";
        case SectionKind::Tensors:
            return "Tensors";
        case SectionKind::Graph:
            return "Graph";
        case SectionKind::Metadata:
            return "Metadata";
        case SectionKind::Data:
            return "Data";
    }
    return nullptr;
}

SectionRange* slot(SectionMap& map, uint32_t kind) {
    switch (static_cast<SectionKind>(kind)) {
        case SectionKind::Strings:
            return &map.strings;
        case SectionKind::Tensors:
            return &map.tensors;
        case SectionKind::Graph:
            return &map.graph;
        case SectionKind::Metadata:
            return &map.metadata;
        case SectionKind::Data:
            return &map.data;
    }
    return nullptr;
}

void check_identity(const FileBytes& file) {
    const uint8_t* p = file.data();
    if (file.size() < sizeof(kMagic) || std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
        file.fail(
            "not a .swpk file (no SWPK signature at the start; convert the model with "
            "swapconv)");
    }
    // The version is read before anything else is interpreted: another version may
    // lay out everything after it differently.
    if (file.size() < FileHeaderLayout::kVersion + 4) {
        file.fail("truncated: the file ends inside its header (", file.size(), " bytes)");
    }
    const auto version = load<uint32_t>(p + FileHeaderLayout::kVersion);
    if (version != kFormatVersion) {
        throw Error(ErrorKind::Format, str_cat(file.label(), ": format version ", version,
                                               ", this build reads version ", kFormatVersion));
    }
    if (file.size() < FileHeaderLayout::kSize) {
        file.fail("truncated: the file ends inside its header (", file.size(), " of ",
                  FileHeaderLayout::kSize, " bytes)");
    }
}

void check_header_fields(const FileBytes& file) {
    const uint8_t* p = file.data();
    const auto header_size = load<uint32_t>(p + FileHeaderLayout::kHeaderSize);
    if (header_size != FileHeaderLayout::kSize) {
        file.fail_at(FileHeaderLayout::kHeaderSize, "header size ", header_size, ", expected ",
                     FileHeaderLayout::kSize);
    }
    const auto declared = load<uint64_t>(p + FileHeaderLayout::kFileSize);
    if (declared > file.size()) {
        file.fail("truncated: the header says ", declared, " bytes but the file has ", file.size());
    }
    if (declared < file.size()) {
        file.fail("the file has ", file.size(), " bytes but its header says ", declared,
                  " (trailing bytes)");
    }
    const auto flags = load<uint32_t>(p + FileHeaderLayout::kFlags);
    if (flags != 0) file.fail_at(FileHeaderLayout::kFlags, "unknown header flags ", flags);
    for (uint64_t i = FileHeaderLayout::kChecksum + 8; i < FileHeaderLayout::kSize; ++i) {
        if (p[i] != 0) file.fail_at(i, "reserved header byte is not zero");
    }
}

SectionMap parse_section_table(const FileBytes& file) {
    const uint8_t* p = file.data();
    const auto table = load<uint64_t>(p + FileHeaderLayout::kSectionTable);
    const auto count = load<uint32_t>(p + FileHeaderLayout::kSectionCount);
    if (count == 0 || count > kMaxSections) {
        file.fail_at(FileHeaderLayout::kSectionCount, "section count ", count, " (1 to ",
                     kMaxSections, " expected)");
    }
    const uint64_t table_bytes = uint64_t{count} * SectionEntryLayout::kBytes;
    const auto table_end = checked_add(table, table_bytes);
    if (table < FileHeaderLayout::kSize || !table_end || *table_end > file.size()) {
        file.fail_at(FileHeaderLayout::kSectionTable, "the section table (", count,
                     " entries at offset ", table, ") is not inside the file");
    }

    SectionMap map;
    // Claimed byte ranges, to reject overlaps: the header and the table itself first.
    std::vector<std::pair<uint64_t, uint64_t>> claimed = {{0, FileHeaderLayout::kSize},
                                                          {table, *table_end}};
    for (uint32_t i = 0; i < count; ++i) {
        const uint64_t at = table + uint64_t{i} * SectionEntryLayout::kBytes;
        const uint8_t* e = p + at;
        const auto kind = load<uint32_t>(e + SectionEntryLayout::kKind);
        const auto offset = load<uint64_t>(e + SectionEntryLayout::kOffset);
        const auto size = load<uint64_t>(e + SectionEntryLayout::kSize);
        const char* name = section_name(kind);
        if (name == nullptr) file.fail_at(at, "section table entry ", i, ": unknown kind ", kind);
        for (uint64_t b : {4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31}) {
            if (e[b] != 0) file.fail_at(at + b, name, " section entry: reserved byte is not zero");
        }
        SectionRange* range = slot(map, kind);
        if (range->present) file.fail_at(at, "the ", name, " section appears twice");
        const auto end = checked_add(offset, size);
        if (!end || *end > file.size()) {
            file.fail_at(at, "the ", name, " section [", offset, ", +", size,
                         ") is not inside the file (", file.size(), " bytes)");
        }
        if (offset % kTensorAlignment != 0) {
            file.fail_at(at, "the ", name, " section offset ", offset, " is not 64-byte aligned");
        }
        for (const auto& [b, e2] : claimed) {
            if (size > 0 && offset < e2 && b < *end) {
                file.fail_at(at, "the ", name, " section [", offset, ", ", *end,
                             ") overlaps bytes [", b, ", ", e2, ") of another part of the file");
            }
        }
        claimed.emplace_back(offset, *end);
        *range = SectionRange{offset, size, true};
    }
    const std::pair<const SectionRange*, const char*> required[] = {{&map.strings, "Strings"},
                                                                    {&map.tensors, "Tensors"},
                                                                    {&map.graph, "Graph"},
                                                                    {&map.metadata, "Metadata"}};
    for (const auto& [range, name] : required) {
        if (!range->present) file.fail("the required ", name, " section is missing");
    }
    return map;
}

}  // namespace

void check_header(const FileBytes& file) {
    check_identity(file);
    check_header_fields(file);
}

void hash_as_written(Checksum64& hash, uint64_t offset, std::span<const uint8_t> bytes) {
    constexpr uint64_t kField = FileHeaderLayout::kChecksum;
    constexpr uint64_t kFieldEnd = kField + 8;
    const uint64_t end = offset + bytes.size();
    if (end <= kField || offset >= kFieldEnd) {
        hash.update(bytes.data(), bytes.size());
        return;
    }
    const uint8_t zeros[8] = {};
    for (uint64_t at = offset; at < end;) {
        if (at >= kField && at < kFieldEnd) {
            const uint64_t n = std::min(end, kFieldEnd) - at;
            hash.update(zeros, n);
            at += n;
        } else {
            const uint64_t n = (at < kField ? std::min(end, kField) : end) - at;
            hash.update(bytes.data() + (at - offset), n);
            at += n;
        }
    }
}

void check_checksum(const FileBytes& file, uint64_t computed) {
    if (computed != load<uint64_t>(file.data() + FileHeaderLayout::kChecksum)) {
        file.fail("checksum mismatch: the file is corrupted");
    }
}

Header parse_header(const FileBytes& file, const ReadOptions& options) {
    check_header(file);
    if (options.verify_checksum) {
        Checksum64 hash;
        hash_as_written(hash, 0, {file.data(), static_cast<size_t>(file.size())});
        check_checksum(file, hash.digest());
    }
    Header header;
    header.version = kFormatVersion;
    header.sections = parse_section_table(file);
    return header;
}

}  // namespace swaprun::format::detail
