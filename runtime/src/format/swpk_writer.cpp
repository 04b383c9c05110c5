// Serialization of a ModelDescription to .swpk (layout in swpk_layout.h).
//
// The small sections (strings, tensor records, graph, metadata) are built in memory;
// tensor data is streamed straight from the caller's buffers. Everything is hashed
// as it is written, with the checksum field still zero, and the checksum is patched
// into the header at the end; then the temporary file is renamed into place.
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "format/byte_order.h"
#include "format/checksum64.h"
#include "format/swpk_io.h"
#include "format/swpk_layout.h"
#include "platform/atomic_file.h"
#include "util/checked_math.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::format {
namespace {

[[noreturn]] void invalid(const std::string& path, const std::string& what) {
    throw Error(ErrorKind::InvalidArgument, str_cat(path, ": cannot write: ", what));
}

// Each distinct string is stored once; references are byte offsets.
class StringTable {
  public:
    uint32_t add(const std::string& s, const std::string& path) {
        if (s.find('\0') != std::string::npos) {
            invalid(path, str_cat("string '", s.c_str(), "...' contains a NUL byte"));
        }
        auto it = offsets_.find(s);
        if (it != offsets_.end()) return it->second;
        if (bytes_.size() + s.size() + 1 > std::numeric_limits<uint32_t>::max()) {
            invalid(path, "the strings exceed 4 GiB");
        }
        const auto offset = static_cast<uint32_t>(bytes_.size());
        bytes_.insert(bytes_.end(), s.begin(), s.end());
        bytes_.push_back(0);
        offsets_.emplace(s, offset);
        return offset;
    }
    const std::vector<uint8_t>& bytes() const { return bytes_; }

  private:
    std::map<std::string, uint32_t> offsets_;
    std::vector<uint8_t> bytes_;
};

uint32_t to_u32(size_t n, const std::string& path, const char* what) {
    if (n > std::numeric_limits<uint32_t>::max()) invalid(path, str_cat("too many ", what));
    return static_cast<uint32_t>(n);
}

bool has_data(TensorRole role) { return role == TensorRole::Constant || role == TensorRole::Extra; }

// Rejects what the reader would reject about a single tensor, so that a converter
// bug surfaces at write time with the tensor's name rather than at load time.
void check_tensor(const TensorDescription& t, size_t index, const std::string& path) {
    const auto where = str_cat("tensor ", index, " '", t.name, "': ");
    if (t.shape.size() > kMaxRank) invalid(path, str_cat(where, "rank above ", kMaxRank));
    int64_t elements = 1;
    for (int64_t d : t.shape) {
        if (d < 1) invalid(path, str_cat(where, "dimension ", d, " (every dimension is >= 1)"));
        auto product = checked_mul(elements, d);
        if (!product) invalid(path, str_cat(where, "element count overflows"));
        elements = *product;
    }
    if (has_data(t.role)) {
        if (t.data.size() != static_cast<uint64_t>(elements)) {
            invalid(path,
                    str_cat(where, "has ", t.data.size(), " values for ", elements, " elements"));
        }
    } else if (!t.data.empty()) {
        invalid(path, str_cat(where, "an activation or input carries no data"));
    }
}

void check_index(uint32_t index, size_t tensor_count, const std::string& path,
                 const std::string& where) {
    if (index >= tensor_count) {
        invalid(path, str_cat(where, " refers to tensor ", index, " of ", tensor_count));
    }
}

std::vector<uint8_t> graph_section(const ModelDescription& m, StringTable& strings,
                                   const std::string& path) {
    std::vector<uint8_t> out;
    const size_t n = m.tensors.size();
    append(out, to_u32(m.inputs.size(), path, "inputs"));
    for (uint32_t i : m.inputs) {
        check_index(i, n, path, "a graph input");
        append(out, i);
    }
    append(out, to_u32(m.outputs.size(), path, "outputs"));
    for (uint32_t i : m.outputs) {
        check_index(i, n, path, "a graph output");
        append(out, i);
    }
    append(out, to_u32(m.ops.size(), path, "ops"));
    for (size_t k = 0; k < m.ops.size(); ++k) {
        const OpDescription& op = m.ops[k];
        const auto where = str_cat("op ", k, " '", op.name, "'");
        append(out, static_cast<uint32_t>(op.type));
        append(out, strings.add(op.name, path));
        append(out, to_u32(op.inputs.size(), path, "op inputs"));
        append(out, to_u32(op.outputs.size(), path, "op outputs"));
        append(out, to_u32(op.attributes.size(), path, "attributes"));
        for (uint32_t i : op.inputs) {
            if (i != kNoTensor) check_index(i, n, path, where);
            append(out, i);
        }
        for (uint32_t i : op.outputs) {
            check_index(i, n, path, where);
            append(out, i);
        }
        for (const auto& [name, attr] : op.attributes) {
            if (!attr.ints.empty() && !attr.floats.empty()) {
                invalid(path, str_cat(where, ": attribute '", name, "' has both ints and floats"));
            }
            const bool is_float = !attr.floats.empty();
            append(out, strings.add(name, path));
            append(out, is_float ? 1u : 0u);
            if (is_float) {
                append(out, to_u32(attr.floats.size(), path, "attribute values"));
                for (float v : attr.floats) append(out, v);
            } else {
                append(out, to_u32(attr.ints.size(), path, "attribute values"));
                for (int64_t v : attr.ints) append(out, v);
            }
        }
    }
    return out;
}

std::vector<uint8_t> metadata_section(const ModelDescription& m, StringTable& strings,
                                      const std::string& path) {
    std::vector<uint8_t> out;
    append(out, to_u32(m.metadata.size(), path, "metadata entries"));
    for (const auto& [key, value] : m.metadata) {
        append(out, strings.add(key, path));
        append(out, strings.add(value, path));
    }
    return out;
}

// Where each tensor's data goes: 64-aligned offsets from `data_start` on.
struct DataPlacement {
    std::vector<uint64_t> offsets;  // 0 for tensors without data
    uint64_t end = 0;
};

DataPlacement place_data(const ModelDescription& m, uint64_t data_start) {
    DataPlacement placement;
    placement.offsets.assign(m.tensors.size(), 0);
    uint64_t cursor = data_start;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        const TensorDescription& t = m.tensors[i];
        if (!has_data(t.role)) continue;
        cursor = align_up(cursor, kTensorAlignment);
        placement.offsets[i] = cursor;
        cursor += t.data.size_bytes();
    }
    placement.end = cursor;
    return placement;
}

std::vector<uint8_t> tensor_section(const ModelDescription& m, StringTable& strings,
                                    const DataPlacement& placement, const std::string& path) {
    std::vector<uint8_t> out(4 + m.tensors.size() * TensorRecordLayout::kBytes, 0);
    store(out.data(), to_u32(m.tensors.size(), path, "tensors"));
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        const TensorDescription& t = m.tensors[i];
        uint8_t* r = out.data() + 4 + i * TensorRecordLayout::kBytes;
        store(r + TensorRecordLayout::kName, strings.add(t.name, path));
        store(r + TensorRecordLayout::kRole, static_cast<uint8_t>(t.role));
        store(r + TensorRecordLayout::kDataType, static_cast<uint8_t>(t.dtype));
        store(r + TensorRecordLayout::kLayout, static_cast<uint8_t>(t.layout));
        store(r + TensorRecordLayout::kRank, static_cast<uint8_t>(t.shape.size()));
        for (size_t d = 0; d < t.shape.size(); ++d) {
            store(r + TensorRecordLayout::kDims + 8 * d, t.shape[d]);
        }
        if (has_data(t.role)) {
            store(r + TensorRecordLayout::kDataOffset, placement.offsets[i]);
            store(r + TensorRecordLayout::kDataBytes, static_cast<uint64_t>(t.data.size_bytes()));
        }
    }
    return out;
}

struct Section {
    SectionKind kind;
    const std::vector<uint8_t>* bytes;  // null for Data (streamed from the tensors)
    uint64_t offset = 0;
    uint64_t size = 0;
};

// Writes and hashes the same bytes.
class HashingWriter {
  public:
    explicit HashingWriter(platform::AtomicFile& file) : file_(file) {}
    void bytes(const void* data, uint64_t size) {
        file_.write(data, static_cast<size_t>(size));
        hash_.update(static_cast<const uint8_t*>(data), size);
    }
    void pad_to(uint64_t offset) {
        static constexpr uint8_t kZeros[kTensorAlignment] = {};
        while (file_.size() < offset) {
            bytes(kZeros, std::min<uint64_t>(offset - file_.size(), sizeof(kZeros)));
        }
    }
    uint64_t digest() const { return hash_.digest(); }

  private:
    platform::AtomicFile& file_;
    Checksum64 hash_;
};

}  // namespace

void write_swpk(const ModelDescription& model, const std::string& path) {
    for (size_t i = 0; i < model.tensors.size(); ++i) check_tensor(model.tensors[i], i, path);

    StringTable strings;
    // The data offsets go into the tensor records, so the layout is computed first
    // with a placeholder tensor section of the right size.
    std::vector<uint8_t> graph = graph_section(model, strings, path);
    std::vector<uint8_t> metadata = metadata_section(model, strings, path);
    for (const TensorDescription& t : model.tensors) strings.add(t.name, path);
    const uint64_t tensor_bytes = 4 + model.tensors.size() * TensorRecordLayout::kBytes;

    bool any_data = false;
    for (const TensorDescription& t : model.tensors) any_data = any_data || has_data(t.role);

    std::vector<Section> sections = {{SectionKind::Strings, &strings.bytes()},
                                     {SectionKind::Tensors, nullptr},
                                     {SectionKind::Graph, &graph},
                                     {SectionKind::Metadata, &metadata}};
    if (any_data) sections.push_back({SectionKind::Data, nullptr});

    const uint64_t table_offset = FileHeaderLayout::kSize;
    uint64_t cursor = table_offset + sections.size() * SectionEntryLayout::kBytes;
    DataPlacement placement;
    for (Section& s : sections) {
        s.offset = align_up(cursor, kTensorAlignment);
        if (s.kind == SectionKind::Tensors) {
            s.size = tensor_bytes;
        } else if (s.kind == SectionKind::Data) {
            placement = place_data(model, s.offset);
            s.size = placement.end - s.offset;
        } else {
            s.size = s.bytes->size();
        }
        cursor = s.offset + s.size;
    }
    const uint64_t file_size = cursor;
    if (!any_data) placement.offsets.assign(model.tensors.size(), 0);
    const std::vector<uint8_t> tensors = tensor_section(model, strings, placement, path);
    sections[1].bytes = &tensors;

    std::vector<uint8_t> head(
        FileHeaderLayout::kSize + sections.size() * SectionEntryLayout::kBytes, 0);
    std::memcpy(head.data() + FileHeaderLayout::kMagic, kMagic, sizeof(kMagic));
    store(head.data() + FileHeaderLayout::kVersion, kFormatVersion);
    store(head.data() + FileHeaderLayout::kHeaderSize,
          static_cast<uint32_t>(FileHeaderLayout::kSize));
    store(head.data() + FileHeaderLayout::kFileSize, file_size);
    store(head.data() + FileHeaderLayout::kSectionTable, table_offset);
    store(head.data() + FileHeaderLayout::kSectionCount, static_cast<uint32_t>(sections.size()));
    for (size_t i = 0; i < sections.size(); ++i) {
        uint8_t* e = head.data() + table_offset + i * SectionEntryLayout::kBytes;
        store(e + SectionEntryLayout::kKind, static_cast<uint32_t>(sections[i].kind));
        store(e + SectionEntryLayout::kOffset, sections[i].offset);
        store(e + SectionEntryLayout::kSize, sections[i].size);
    }

    platform::AtomicFile file(path);
    HashingWriter out(file);
    out.bytes(head.data(), head.size());
    for (const Section& s : sections) {
        out.pad_to(s.offset);
        if (s.kind != SectionKind::Data) {
            out.bytes(s.bytes->data(), s.bytes->size());
            continue;
        }
        for (size_t i = 0; i < model.tensors.size(); ++i) {
            const TensorDescription& t = model.tensors[i];
            if (!has_data(t.role)) continue;
            out.pad_to(placement.offsets[i]);
            out.bytes(t.data.data(), t.data.size_bytes());
        }
    }
    const uint64_t checksum = out.digest();
    file.write_at(FileHeaderLayout::kChecksum, &checksum, sizeof(checksum));
    file.commit();
}

}  // namespace swaprun::format
