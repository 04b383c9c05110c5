// Files built into the swaprun program (cmake/EmbedBinary.cmake): the default models as
// .swpk, the sample portrait and its landmarks. Each starts 64-byte aligned.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace swaprun::cli {

struct EmbeddedFile {
    std::string_view name;  // "detector", "recognizer", "swapper", "portrait", "landmarks"
    std::span<const uint8_t> bytes;
};

std::span<const EmbeddedFile> embedded_files();

}  // namespace swaprun::cli
