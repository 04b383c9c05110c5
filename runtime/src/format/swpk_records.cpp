// The reader's second stage: the contents of the Strings, Tensors, Graph and
// Metadata sections. Counts are bounded by their section's size before anything is
// allocated for them; every reference (string, tensor index, data range) is checked.
#include <cstring>

#include "format/swpk_layout.h"
#include "format/swpk_parse.h"
#include "util/limits.h"
#include "util/checked_math.h"

namespace swaprun::format::detail {
namespace {

// The limits are explained in util/limits.h.
constexpr int64_t kMaxTensorElements = limits::kMaxSwpkTensorElements;
constexpr uint32_t kMaxOps = limits::kMaxSwpkOps;
constexpr uint32_t kMaxGraphInterface = limits::kMaxSwpkGraphInterface;

// Smallest op record: type, name, three counts.
constexpr uint64_t kMinOpRecordBytes = 20;
// Smallest attribute: name, kind, count.
constexpr uint64_t kMinAttributeBytes = 12;

std::string tensor_where(uint32_t index, const std::string& name) {
    return str_cat("tensor ", index, " '", name, "'");
}

void parse_tensor_data(const FileBytes& file, const SectionMap& sections, uint64_t record_at,
                       const std::string& where, TensorDescription& t) {
    const uint8_t* r = file.data() + record_at;
    const auto offset = load<uint64_t>(r + TensorRecordLayout::kDataOffset);
    const auto bytes = load<uint64_t>(r + TensorRecordLayout::kDataBytes);
    const bool carries_data = t.role == TensorRole::Constant || t.role == TensorRole::Extra;
    if (!carries_data) {
        if (offset != 0 || bytes != 0) {
            file.fail_at(record_at, where, ": an activation or input tensor has a data range");
        }
        return;
    }
    const uint64_t expected = static_cast<uint64_t>(t.elements()) * sizeof(float);
    if (bytes != expected) {
        file.fail_at(record_at, where, ": data size ", bytes, " bytes, but shape ",
                     shape_string(t.shape), " needs ", expected);
    }
    if (!sections.data.present) {
        file.fail_at(record_at, where, ": has data but the file has no Data section");
    }
    const auto end = checked_add(offset, bytes);
    if (offset < sections.data.offset || !end || *end > sections.data.end()) {
        file.fail_at(record_at, where, ": data range [", offset, ", +", bytes,
                     ") is outside the Data section [", sections.data.offset, ", ",
                     sections.data.end(), ")");
    }
    if (offset % kTensorAlignment != 0) {
        file.fail_at(record_at, where, ": data offset ", offset, " is not 64-byte aligned");
    }
    // The base of the bytes is 64-byte aligned (checked by the caller), so this is too.
    t.data = std::span<const float>(reinterpret_cast<const float*>(file.data() + offset),
                                    static_cast<size_t>(t.elements()));
}

void parse_tensor_record(const FileBytes& file, const SectionMap& sections,
                         const StringSection& strings, uint32_t index, uint64_t at,
                         TensorDescription& t) {
    const uint8_t* r = file.data() + at;
    const auto name_ref = load<uint32_t>(r + TensorRecordLayout::kName);
    auto name = strings.get(name_ref);
    if (!name) {
        file.fail_at(at, "tensor ", index, ": name reference ", name_ref,
                     " is not a string in the Strings section");
    }
    t.name = std::move(*name);
    const std::string where = tensor_where(index, t.name);

    const uint8_t role = r[TensorRecordLayout::kRole];
    if (role > static_cast<uint8_t>(TensorRole::Extra)) {
        file.fail_at(at + TensorRecordLayout::kRole, where, ": unknown role ", int{role});
    }
    t.role = static_cast<TensorRole>(role);
    const uint8_t dtype = r[TensorRecordLayout::kDataType];
    if (dtype != static_cast<uint8_t>(DataType::Float32)) {
        file.fail_at(at + TensorRecordLayout::kDataType, where, ": unknown data type ", int{dtype});
    }
    const uint8_t layout = r[TensorRecordLayout::kLayout];
    if (layout != static_cast<uint8_t>(TensorLayout::RowMajor)) {
        file.fail_at(at + TensorRecordLayout::kLayout, where, ": unknown data layout ",
                     int{layout});
    }
    const uint8_t rank = r[TensorRecordLayout::kRank];
    if (rank > kMaxRank) {
        file.fail_at(at + TensorRecordLayout::kRank, where, ": rank ", int{rank}, " (at most ",
                     kMaxRank, ")");
    }
    t.shape.resize(rank);
    int64_t elements = 1;
    for (uint32_t d = 0; d < kMaxRank; ++d) {
        const uint64_t dim_at = at + TensorRecordLayout::kDims + 8 * d;
        const auto dim = load<int64_t>(file.data() + dim_at);
        if (d >= rank) {
            if (dim != 0) file.fail_at(dim_at, where, ": unused dimension ", d, " is not zero");
            continue;
        }
        if (dim < 1) file.fail_at(dim_at, where, ": dimension ", d, " is ", dim, " (must be >= 1)");
        const auto product = checked_mul(elements, dim);
        if (!product || *product > kMaxTensorElements) {
            file.fail_at(dim_at, where, ": more than ", kMaxTensorElements, " elements");
        }
        elements = *product;
        t.shape[d] = dim;
    }
    parse_tensor_data(file, sections, at, where, t);
}

std::string read_string(const FileBytes& file, const StringSection& strings, Cursor& in,
                        const char* what) {
    const uint64_t at = in.offset();
    const auto ref = in.read<uint32_t>(what);
    auto s = strings.get(ref);
    if (!s) file.fail_at(at, what, " reference ", ref, " is not a string in the Strings section");
    return std::move(*s);
}

uint32_t read_tensor_index(const FileBytes& file, const ModelDescription& model, Cursor& in,
                           const std::string& where, bool optional) {
    const uint64_t at = in.offset();
    const auto index = in.read<uint32_t>("a tensor index");
    if (optional && index == kNoTensor) return index;
    if (index >= model.tensors.size()) {
        file.fail_at(at, where, " refers to tensor ", index, ", but there are ",
                     model.tensors.size());
    }
    return index;
}

void parse_attribute(const FileBytes& file, const StringSection& strings, Cursor& in,
                     const std::string& where, OpDescription& op) {
    const uint64_t at = in.offset();
    std::string name = read_string(file, strings, in, "an attribute name");
    const std::string attr_where = str_cat(where, " attribute '", name, "'");
    const auto kind = in.read<uint32_t>("an attribute kind");
    if (kind > 1) file.fail_at(at, attr_where, ": unknown attribute kind ", kind);
    const uint32_t count = in.count("an attribute value count", kind == 0 ? 8 : 4);
    Attribute attr;
    if (kind == 0) {
        attr.ints.resize(count);
        for (auto& v : attr.ints) v = in.read<int64_t>("an attribute value");
    } else {
        attr.floats.resize(count);
        for (auto& v : attr.floats) v = in.read<float>("an attribute value");
    }
    if (!op.attributes.emplace(std::move(name), std::move(attr)).second) {
        file.fail_at(at, attr_where, ": the attribute appears twice");
    }
}

void parse_op(const FileBytes& file, const StringSection& strings, Cursor& in, uint32_t index,
              ModelDescription& model) {
    const uint64_t at = in.offset();
    OpDescription op;
    const auto type = in.read<uint32_t>("an op type");
    op.name = read_string(file, strings, in, "an op name");
    const auto type_name = op_type_name(type);
    if (!type_name) {
        file.fail_at(at, "op ", index, " '", op.name, "': unknown op type ", type);
    }
    op.type = static_cast<OpType>(type);
    const std::string where = str_cat("op ", index, " '", op.name, "' (", *type_name, ")");
    const uint32_t inputs = in.count("an op input count", 4);
    const uint32_t outputs = in.count("an op output count", 4);
    const uint32_t attributes = in.count("an op attribute count", 0);
    // Checked together: the two lists follow each other.
    in.need(uint64_t{inputs} * 4 + uint64_t{outputs} * 4, "an op's tensor lists");
    if (attributes > in.remaining() / kMinAttributeBytes) {
        file.fail_at(at, where, ": attribute count ", attributes, " does not fit in the section");
    }
    op.inputs.resize(inputs);
    for (auto& i : op.inputs) i = read_tensor_index(file, model, in, where, true);
    op.outputs.resize(outputs);
    for (auto& o : op.outputs) o = read_tensor_index(file, model, in, where, false);
    for (uint32_t a = 0; a < attributes; ++a) parse_attribute(file, strings, in, where, op);
    model.ops.push_back(std::move(op));
}

}  // namespace

std::optional<std::string> StringSection::get(uint32_t offset) const {
    if (offset >= range_.size) return std::nullopt;
    const auto* begin = reinterpret_cast<const char*>(file_.data() + range_.offset + offset);
    const auto* nul = static_cast<const char*>(std::memchr(begin, 0, range_.size - offset));
    if (nul == nullptr) return std::nullopt;
    return std::string(begin, nul);
}

void parse_tensors(const FileBytes& file, const SectionMap& sections, const StringSection& strings,
                   ModelDescription& model) {
    Cursor in(file, sections.tensors, "Tensors");
    const uint32_t count = in.count("the tensor count", TensorRecordLayout::kBytes);
    model.tensors.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
        const uint64_t at = in.offset();
        in.need(TensorRecordLayout::kBytes, "a tensor record");
        parse_tensor_record(file, sections, strings, i, at, model.tensors[i]);
        in.skip(TensorRecordLayout::kBytes, "a tensor record");
    }
    in.expect_end();
}

void parse_graph(const FileBytes& file, const SectionMap& sections, const StringSection& strings,
                 ModelDescription& model) {
    Cursor in(file, sections.graph, "Graph");
    const uint64_t inputs_at = in.offset();
    const uint32_t inputs = in.count("the graph input count", 4);
    if (inputs > kMaxGraphInterface) {
        file.fail_at(inputs_at, "graph input count ", inputs, " exceeds the limit of ",
                     kMaxGraphInterface);
    }
    model.inputs.resize(inputs);
    for (uint32_t k = 0; k < inputs; ++k) {
        const uint64_t at = in.offset();
        const uint32_t i = read_tensor_index(file, model, in, str_cat("graph input ", k), false);
        if (model.tensors[i].role != TensorRole::Input) {
            file.fail_at(at, "graph input ", k, " is ", tensor_where(i, model.tensors[i].name),
                         ", which does not have the Input role");
        }
        model.inputs[k] = i;
    }
    const uint64_t outputs_at = in.offset();
    const uint32_t outputs = in.count("the graph output count", 4);
    if (outputs > kMaxGraphInterface) {
        file.fail_at(outputs_at, "graph output count ", outputs, " exceeds the limit of ",
                     kMaxGraphInterface);
    }
    model.outputs.resize(outputs);
    for (uint32_t k = 0; k < outputs; ++k) {
        model.outputs[k] = read_tensor_index(file, model, in, str_cat("graph output ", k), false);
    }
    const uint64_t ops_at = in.offset();
    const uint32_t ops = in.count("the op count", kMinOpRecordBytes);
    if (ops > kMaxOps) file.fail_at(ops_at, "op count ", ops, " exceeds the limit of ", kMaxOps);
    model.ops.reserve(ops);
    for (uint32_t k = 0; k < ops; ++k) parse_op(file, strings, in, k, model);
    in.expect_end();
}

void parse_metadata(const FileBytes& file, const SectionMap& sections, const StringSection& strings,
                    ModelDescription& model) {
    Cursor in(file, sections.metadata, "Metadata");
    const uint32_t count = in.count("the metadata count", 8);
    for (uint32_t k = 0; k < count; ++k) {
        const uint64_t at = in.offset();
        std::string key = read_string(file, strings, in, "a metadata key");
        std::string value = read_string(file, strings, in, "a metadata value");
        if (!model.metadata.emplace(key, std::move(value)).second) {
            file.fail_at(at, "metadata key '", key, "' appears twice");
        }
    }
    in.expect_end();
}

}  // namespace swaprun::format::detail
