// The in-memory form of a packed model: what the converter hands to the writer and
// what the reader hands to the runtime. Tensor data is a view: into the converter's
// buffers when writing, into the file mapping when reading.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "graph/op_types.h"

namespace swaprun::format {

enum class TensorRole : uint8_t {
    Constant = 0,    // weights and other graph constants; data in the file
    Activation = 1,  // computed by an op (graph outputs are activations too)
    Input = 2,       // supplied by the caller for every run
    Extra = 3,       // carried in the file for the caller, unused by the graph (e.g. buff2fs)
};

enum class DataType : uint8_t { Float32 = 0 };

// How a constant's bytes are ordered. Only the plain row-major layout exists so
// far; packed kernel layouts get their own values (the reader rejects unknown ones).
enum class TensorLayout : uint8_t { RowMajor = 0 };

struct TensorDescription {
    std::string name;
    TensorRole role = TensorRole::Activation;
    DataType dtype = DataType::Float32;
    TensorLayout layout = TensorLayout::RowMajor;
    std::vector<int64_t> shape;    // rank <= 8; every dim >= 1
    std::span<const float> data;   // Constant and Extra only: exactly product(shape) values

    int64_t elements() const {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return n;
    }
};

struct Attribute {
    std::vector<int64_t> ints;
    std::vector<float> floats;
};

struct OpDescription {
    OpType type = OpType::Reshape;
    std::string name;  // the ONNX node it came from, for messages and profiles
    std::vector<uint32_t> inputs;   // tensor indices, kNoTensor for an absent optional input
    std::vector<uint32_t> outputs;  // tensor indices
    std::map<std::string, Attribute> attributes;
};

struct ModelDescription {
    std::vector<TensorDescription> tensors;
    std::vector<OpDescription> ops;         // in execution order
    std::vector<uint32_t> inputs;           // tensor indices with role Input, in API order
    std::vector<uint32_t> outputs;          // tensor indices (Activation or Constant)
    std::map<std::string, std::string> metadata;  // e.g. "model.name", "input.target.range"
};

}  // namespace swaprun::format
