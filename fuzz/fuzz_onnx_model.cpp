// Fuzz target: an ONNX model file through everything swapconv does with it (wire
// decoding, import, shape inference and folding, fusion, lowering), in memory.
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>

#include "converter/lower.h"
#include "converter/onnx/onnx_model.h"
#include "converter/passes/passes.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace swaprun;
    try {
        const onnx::Model model = onnx::decode_model(std::span(data, size), "fuzz.onnx");
        convert::Graph graph = convert::import_model(model, "fuzz.onnx", {});
        convert::infer_and_fold(graph);
        convert::fuse(graph);
        const format::ModelDescription lowered = convert::lower(graph);
        (void)lowered;
    } catch (const Error&) {
        // A clear rejection is the expected outcome for most inputs.
    }
    return 0;
}
