// Tensors stored in files: ONNX TensorProto (.pb, as in ONNX's test data) and numpy
// (.npy, float32 or int64, C order). Used by --bind and by the tools' inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/onnx/onnx_model.h"

namespace swaprun::onnx {

// Reads a whole file into memory; Io error naming the path on failure.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// Reads a .pb (TensorProto) or .npy file, chosen by the extension.
Tensor read_tensor_file(const std::string& path);

}  // namespace swaprun::onnx
