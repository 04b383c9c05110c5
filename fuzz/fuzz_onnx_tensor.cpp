// Fuzz target: an ONNX TensorProto file (swapconv --bind, swaprun --input *.pb).
#include <cstddef>
#include <cstdint>
#include <span>

#include "converter/onnx/onnx_model.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace swaprun;
    try {
        const onnx::Tensor tensor = onnx::decode_tensor(std::span(data, size), "fuzz.pb");
        (void)tensor;
    } catch (const Error&) {
    }
    return 0;
}
