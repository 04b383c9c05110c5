// Fuzz target: a .npy tensor file (swaprun --input, swapconv --bind).
#include <cstddef>
#include <cstdint>
#include <span>

#include "tools/common/npy.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace swaprun;
    try {
        const tools::NpyArray array = tools::parse_npy(std::span(data, size), "fuzz.npy");
        (void)array;
    } catch (const Error&) {
    }
    return 0;
}
