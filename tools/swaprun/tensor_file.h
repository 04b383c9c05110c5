// Loading an input tensor for `swaprun infer`: .npy always; ONNX TensorProto .pb
// when the build includes the converter's ONNX reader.
#pragma once

#include <string>

#include "tools/common/npy.h"

namespace swaprun::cli {

// Throws swaprun::Error naming the path.
tools::NpyArray load_tensor_file(const std::string& path);

}  // namespace swaprun::cli
