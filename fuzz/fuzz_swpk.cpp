// Fuzz target: a .swpk file through everything swr_model_open does with it (header,
// section table, records, graph validation, memory planning, convolution weight
// packing). The checksum is not verified, so that the fuzzer reaches the parsers
// behind it; the checksum itself is one comparison, tested in runtime_test.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/loaded_model.h"
#include "format/swpk_io.h"
#include "format/swpk_layout.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace swaprun;
    // from_memory needs 64-byte aligned bytes, as a mapping gives.
    std::vector<uint8_t> storage(size + format::kTensorAlignment);
    const size_t misalignment =
        reinterpret_cast<uintptr_t>(storage.data()) % format::kTensorAlignment;
    uint8_t* aligned =
        storage.data() + (misalignment ? format::kTensorAlignment - misalignment : 0);
    if (size > 0) std::memcpy(aligned, data, size);
    format::ReadOptions options;
    options.verify_checksum = false;
    try {
        auto file = format::SwpkFile::from_memory(aligned, size, "fuzz.swpk", options);
        auto model = engine::LoadedModel::from_file(std::move(file));
        (void)model;
    } catch (const Error&) {
    }
    return 0;
}
