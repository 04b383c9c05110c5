// The parts of an ONNX model the converter reads, decoded from the wire format.
// Field names follow onnx.proto; what the converter does not use is skipped.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace swaprun::onnx {

// TensorProto.DataType values.
enum class ElementType : int32_t {
    Undefined = 0,
    Float = 1,
    Uint8 = 2,
    Int8 = 3,
    Uint16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    Uint32 = 12,
    Uint64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    Bfloat16 = 16,
};

const char* element_type_name(int32_t type);
bool is_floating(int32_t type);  // Float, Float16, Bfloat16, Double
bool is_integer(int32_t type);   // the int, uint and bool types

// A tensor with its values widened: floating types to float, integer and bool types
// to int64. Types with no such widening (strings, complex) keep no values and are
// rejected where a value is needed.
struct Tensor {
    std::string name;
    int32_t element_type = 0;
    std::vector<int64_t> dims;
    std::vector<float> floats;  // when is_floating(element_type)
    std::vector<int64_t> ints;  // when is_integer(element_type)

    int64_t element_count() const;
};

enum class AttributeType : int32_t {
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
    Tensors = 9,
    Graphs = 10,
    SparseTensor = 11,
    SparseTensors = 12,
    TypeProto = 13,
    TypeProtos = 14,
};

struct Attribute {
    std::string name;
    AttributeType type = AttributeType::Undefined;
    float f = 0.0f;
    int64_t i = 0;
    std::string s;
    std::vector<float> floats;
    std::vector<int64_t> ints;
    std::vector<std::string> strings;
    std::vector<Tensor> tensors;  // one for Tensor, several for Tensors
};

struct Node {
    std::string name;
    std::string op_type;
    std::string domain;
    std::vector<std::string> inputs;  // "" marks an omitted optional input
    std::vector<std::string> outputs;
    std::vector<Attribute> attributes;
};

struct ValueInfo {
    std::string name;
    int32_t element_type = 0;  // 0 when the type is not a tensor or not given
    bool has_shape = false;
    std::vector<int64_t> dims;            // -1 where the dimension is symbolic or unknown
    std::vector<std::string> dim_params;  // the symbolic names, "" where numeric
};

struct Graph {
    std::string name;
    std::vector<Node> nodes;
    std::vector<Tensor> initializers;
    std::vector<ValueInfo> inputs;
    std::vector<ValueInfo> outputs;
    std::vector<ValueInfo> value_infos;
};

struct Model {
    int64_t ir_version = 0;
    std::string producer_name;
    std::string producer_version;
    std::map<std::string, int64_t> opsets;  // domain ("" for ai.onnx) -> version
    std::map<std::string, std::string> metadata;
    Graph graph;

    // The default-domain opset version (0 when absent).
    int64_t opset() const;
};

// Decodes a serialized ModelProto. `label` (the file name) prefixes every message.
// Throws swaprun::Error: Format for malformed bytes, Unsupported for external data.
Model decode_model(std::span<const uint8_t> bytes, const std::string& label);

// Decodes a serialized TensorProto (the .pb files of ONNX's test data).
Tensor decode_tensor(std::span<const uint8_t> bytes, const std::string& label);

}  // namespace swaprun::onnx
