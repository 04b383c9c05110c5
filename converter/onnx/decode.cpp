// ONNX protobuf decoding. Field numbers are those of onnx.proto (IR version 3-9).
#include <cstring>
#include <limits>

#include "converter/onnx/onnx_model.h"
#include "converter/onnx/wire_reader.h"
#include "util/error.h"
#include "util/limits.h"

namespace swaprun::onnx {

namespace {

// Largest element count accepted for one tensor (util/limits.h).
constexpr int64_t kMaxTensorElements = limits::kMaxOnnxTensorElements;

float half_to_float(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: renormalize
            exponent = 127 - 15 + 1;
            while ((mantissa & 0x400) == 0) {
                mantissa <<= 1;
                --exponent;
            }
            bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000 | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bfloat16_to_float(uint16_t b) {
    uint32_t bits = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

int element_size(int32_t type) {
    switch (static_cast<ElementType>(type)) {
        case ElementType::Float:
            return 4;
        case ElementType::Uint8:
            return 1;
        case ElementType::Int8:
            return 1;
        case ElementType::Uint16:
            return 2;
        case ElementType::Int16:
            return 2;
        case ElementType::Int32:
            return 4;
        case ElementType::Int64:
            return 8;
        case ElementType::Bool:
            return 1;
        case ElementType::Float16:
            return 2;
        case ElementType::Double:
            return 8;
        case ElementType::Uint32:
            return 4;
        case ElementType::Uint64:
            return 8;
        case ElementType::Bfloat16:
            return 2;
        default:
            return 0;
    }
}

// Widens one little-endian raw element of `type` into the tensor's value array.
void append_raw_element(Tensor& t, const uint8_t* p) {
    auto load = [p](auto v) {
        std::memcpy(&v, p, sizeof v);
        return v;
    };
    switch (static_cast<ElementType>(t.element_type)) {
        case ElementType::Float:
            t.floats.push_back(load(float{}));
            break;
        case ElementType::Double:
            t.floats.push_back(static_cast<float>(load(double{})));
            break;
        case ElementType::Float16:
            t.floats.push_back(half_to_float(load(uint16_t{})));
            break;
        case ElementType::Bfloat16:
            t.floats.push_back(bfloat16_to_float(load(uint16_t{})));
            break;
        case ElementType::Uint8:
            t.ints.push_back(load(uint8_t{}));
            break;
        case ElementType::Bool:
            t.ints.push_back(load(uint8_t{}) != 0);
            break;
        case ElementType::Int8:
            t.ints.push_back(load(int8_t{}));
            break;
        case ElementType::Uint16:
            t.ints.push_back(load(uint16_t{}));
            break;
        case ElementType::Int16:
            t.ints.push_back(load(int16_t{}));
            break;
        case ElementType::Int32:
            t.ints.push_back(load(int32_t{}));
            break;
        case ElementType::Int64:
            t.ints.push_back(load(int64_t{}));
            break;
        case ElementType::Uint32:
            t.ints.push_back(load(uint32_t{}));
            break;
        case ElementType::Uint64:
            t.ints.push_back(static_cast<int64_t>(load(uint64_t{})));
            break;
        default:
            break;
    }
}

Tensor decode_tensor_message(WireReader& r) {
    Tensor t;
    std::vector<int64_t> int32_data, int64_data, uint64_data;
    std::vector<float> float_data;
    std::vector<double> double_data;
    std::span<const uint8_t> raw;
    bool has_raw = false;
    bool external = false;
    uint64_t start = r.offset();
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        switch (field) {
            case 1:
                r.read_repeated_int64(type, t.dims);
                break;
            case 2:
                t.element_type = static_cast<int32_t>(r.read_int64());
                break;
            case 4:
                r.read_repeated_float(type, float_data);
                break;
            case 5:
                r.read_repeated_int64(type, int32_data);
                break;
            case 7:
                r.read_repeated_int64(type, int64_data);
                break;
            case 8:
                t.name = r.read_string();
                break;
            case 9:
                raw = r.read_bytes();
                has_raw = true;
                break;
            case 10:
                r.read_repeated_double(type, double_data);
                break;
            case 11:
                r.read_repeated_int64(type, uint64_data);
                break;
            case 13:
                r.skip(type);
                external = true;
                break;  // external_data entries
            case 14:
                if (r.read_int64() == 1) external = true;  // data_location = EXTERNAL
                break;
            default:
                r.skip(type);
        }
    }
    const std::string label = t.name.empty() ? "a tensor at byte offset " + std::to_string(start)
                                             : "tensor '" + t.name + "'";
    if (external) {
        throw Error(ErrorKind::Unsupported,
                    label +
                        " keeps its data in an external file; external-data models are not "
                        "supported: save the model with all tensors inside the .onnx file "
                        "(onnx.save_model(..., save_as_external_data=False))");
    }
    int64_t count = 1;
    for (int64_t d : t.dims) {
        if (d < 0) r.fail(label + " has a negative dimension " + std::to_string(d));
        if (d > 0 && count > kMaxTensorElements / d) {
            r.fail(label + " declares more than 2^34 elements");
        }
        count *= d;
    }
    const int size = element_size(t.element_type);
    if (size == 0) {
        // Strings, complex numbers: kept as a typed shell; using their values is an error.
        return t;
    }
    auto mismatch = [&](uint64_t got) {
        r.fail(label + " has " + std::to_string(got) + " values for its shape of " +
               std::to_string(count) + " elements");
    };
    if (has_raw) {
        if (raw.size() != static_cast<uint64_t>(count) * size) mismatch(raw.size() / size);
        if (t.element_type == static_cast<int32_t>(ElementType::Float)) {
            t.floats.resize(count);
            // An empty tensor has no buffer to copy into (memcpy of null is undefined).
            if (count > 0) std::memcpy(t.floats.data(), raw.data(), raw.size());
        } else {
            for (int64_t i = 0; i < count; ++i) append_raw_element(t, raw.data() + i * size);
        }
        return t;
    }
    switch (static_cast<ElementType>(t.element_type)) {
        case ElementType::Float:
            if (static_cast<int64_t>(float_data.size()) != count) mismatch(float_data.size());
            t.floats = std::move(float_data);
            break;
        case ElementType::Double:
            if (static_cast<int64_t>(double_data.size()) != count) mismatch(double_data.size());
            t.floats.assign(double_data.begin(), double_data.end());
            break;
        case ElementType::Float16:
        case ElementType::Bfloat16:
            // Stored as their 16-bit patterns in int32_data.
            if (static_cast<int64_t>(int32_data.size()) != count) mismatch(int32_data.size());
            for (int64_t bits : int32_data) {
                auto h = static_cast<uint16_t>(bits);
                t.floats.push_back(t.element_type == static_cast<int32_t>(ElementType::Float16)
                                       ? half_to_float(h)
                                       : bfloat16_to_float(h));
            }
            break;
        case ElementType::Int64:
            if (static_cast<int64_t>(int64_data.size()) != count) mismatch(int64_data.size());
            t.ints = std::move(int64_data);
            break;
        case ElementType::Uint32:
        case ElementType::Uint64:
            if (static_cast<int64_t>(uint64_data.size()) != count) mismatch(uint64_data.size());
            t.ints = std::move(uint64_data);
            break;
        default:  // the narrower integer types and bool live in int32_data
            if (static_cast<int64_t>(int32_data.size()) != count) mismatch(int32_data.size());
            t.ints = std::move(int32_data);
            if (t.element_type == static_cast<int32_t>(ElementType::Bool)) {
                for (int64_t& v : t.ints) v = v != 0;
            }
    }
    return t;
}

void decode_shape(WireReader& r, ValueInfo& info) {
    info.has_shape = true;
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        if (field != 1) {
            r.skip(type);
            continue;
        }
        WireReader dim = r.read_message("ONNX dimension");
        int64_t value = -1;
        std::string param;
        uint32_t f;
        WireType t;
        while (dim.next_field(f, t)) {
            if (f == 1) {
                value = dim.read_int64();
            } else if (f == 2) {
                param = dim.read_string();
            } else {
                dim.skip(t);
            }
        }
        info.dims.push_back(value);
        info.dim_params.push_back(param);
    }
}

ValueInfo decode_value_info(WireReader& r) {
    ValueInfo info;
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        if (field == 1) {
            info.name = r.read_string();
        } else if (field == 2) {
            WireReader type_proto = r.read_message("ONNX type");
            uint32_t f;
            WireType t;
            while (type_proto.next_field(f, t)) {
                if (f != 1) {  // sequence, map, optional types: leave the type unset
                    type_proto.skip(t);
                    continue;
                }
                WireReader tensor_type = type_proto.read_message("ONNX tensor type");
                uint32_t g;
                WireType u;
                while (tensor_type.next_field(g, u)) {
                    if (g == 1) {
                        info.element_type = static_cast<int32_t>(tensor_type.read_int64());
                    } else if (g == 2) {
                        WireReader shape = tensor_type.read_message("ONNX shape");
                        decode_shape(shape, info);
                    } else {
                        tensor_type.skip(u);
                    }
                }
            }
        } else {
            r.skip(type);
        }
    }
    return info;
}

Attribute decode_attribute(WireReader& r) {
    Attribute a;
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        switch (field) {
            case 1:
                a.name = r.read_string();
                break;
            case 20:
                a.type = static_cast<AttributeType>(r.read_int64());
                break;
            case 2:
                a.f = r.read_float();
                break;
            case 3:
                a.i = r.read_int64();
                break;
            case 4:
                a.s = r.read_string();
                break;
            case 5: {
                WireReader t = r.read_message("ONNX tensor");
                a.tensors.push_back(decode_tensor_message(t));
                break;
            }
            case 7:
                r.read_repeated_float(type, a.floats);
                break;
            case 8:
                r.read_repeated_int64(type, a.ints);
                break;
            case 9:
                a.strings.push_back(r.read_string());
                break;
            case 10: {
                WireReader t = r.read_message("ONNX tensor");
                a.tensors.push_back(decode_tensor_message(t));
                break;
            }
            // Subgraphs (6, 11) and the rest are skipped: their presence is visible in
            // `type`, and the importer rejects control flow by name.
            default:
                r.skip(type);
        }
    }
    return a;
}

Node decode_node(WireReader& r) {
    Node n;
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        switch (field) {
            case 1:
                n.inputs.push_back(r.read_string());
                break;
            case 2:
                n.outputs.push_back(r.read_string());
                break;
            case 3:
                n.name = r.read_string();
                break;
            case 4:
                n.op_type = r.read_string();
                break;
            case 7:
                n.domain = r.read_string();
                break;
            case 5: {
                WireReader a = r.read_message("ONNX attribute");
                n.attributes.push_back(decode_attribute(a));
                break;
            }
            default:
                r.skip(type);
        }
    }
    return n;
}

Graph decode_graph(WireReader& r) {
    Graph g;
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        switch (field) {
            case 1: {
                WireReader n = r.read_message("ONNX node");
                g.nodes.push_back(decode_node(n));
                break;
            }
            case 2:
                g.name = r.read_string();
                break;
            case 5: {
                WireReader t = r.read_message("ONNX initializer");
                g.initializers.push_back(decode_tensor_message(t));
                break;
            }
            case 11:
            case 12:
            case 13: {
                WireReader v = r.read_message("ONNX value info");
                auto info = decode_value_info(v);
                (field == 11   ? g.inputs
                 : field == 12 ? g.outputs
                               : g.value_infos)
                    .push_back(std::move(info));
                break;
            }
            case 15:
                throw Error(ErrorKind::Unsupported,
                            "sparse initializers are not supported (at byte offset " +
                                std::to_string(r.offset()) + ")");
            default:
                r.skip(type);
        }
    }
    return g;
}

}  // namespace

int64_t Tensor::element_count() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
}

int64_t Model::opset() const {
    auto it = opsets.find("");
    if (it == opsets.end()) it = opsets.find("ai.onnx");
    return it == opsets.end() ? 0 : it->second;
}

const char* element_type_name(int32_t type) {
    static const char* const names[] = {"undefined",  "float",   "uint8",  "int8",   "uint16",
                                        "int16",      "int32",   "int64",  "string", "bool",
                                        "float16",    "double",  "uint32", "uint64", "complex64",
                                        "complex128", "bfloat16"};
    if (type < 0 || type > 16) return "unknown";
    return names[type];
}

bool is_floating(int32_t type) {
    auto t = static_cast<ElementType>(type);
    return t == ElementType::Float || t == ElementType::Float16 || t == ElementType::Bfloat16 ||
           t == ElementType::Double;
}

bool is_integer(int32_t type) {
    switch (static_cast<ElementType>(type)) {
        case ElementType::Uint8:
        case ElementType::Int8:
        case ElementType::Uint16:
        case ElementType::Int16:
        case ElementType::Int32:
        case ElementType::Int64:
        case ElementType::Bool:
        case ElementType::Uint32:
        case ElementType::Uint64:
            return true;
        default:
            return false;
    }
}

Model decode_model(std::span<const uint8_t> bytes, const std::string& label) {
    WireReader r(bytes, 0, label, "ONNX model");
    Model m;
    bool has_graph = false;
    uint32_t field;
    WireType type;
    while (r.next_field(field, type)) {
        switch (field) {
            case 1:
                m.ir_version = r.read_int64();
                break;
            case 2:
                m.producer_name = r.read_string();
                break;
            case 3:
                m.producer_version = r.read_string();
                break;
            case 7: {
                WireReader g = r.read_message("ONNX graph");
                m.graph = decode_graph(g);
                has_graph = true;
                break;
            }
            case 8: {
                WireReader o = r.read_message("ONNX opset import");
                std::string domain;
                int64_t version = 0;
                uint32_t f;
                WireType t;
                while (o.next_field(f, t)) {
                    if (f == 1) {
                        domain = o.read_string();
                    } else if (f == 2) {
                        version = o.read_int64();
                    } else {
                        o.skip(t);
                    }
                }
                m.opsets[domain] = version;
                break;
            }
            case 14: {
                WireReader e = r.read_message("ONNX metadata entry");
                std::string key, value;
                uint32_t f;
                WireType t;
                while (e.next_field(f, t)) {
                    if (f == 1) {
                        key = e.read_string();
                    } else if (f == 2) {
                        value = e.read_string();
                    } else {
                        e.skip(t);
                    }
                }
                m.metadata[key] = value;
                break;
            }
            default:
                r.skip(type);
        }
    }
    if (!has_graph) {
        throw Error(ErrorKind::Format, label + ": not an ONNX model (no graph found)");
    }
    return m;
}

Tensor decode_tensor(std::span<const uint8_t> bytes, const std::string& label) {
    WireReader r(bytes, 0, label, "ONNX tensor");
    return decode_tensor_message(r);
}

}  // namespace swaprun::onnx
