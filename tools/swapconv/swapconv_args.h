// Command-line parsing for swapconv, separate from running so that every usage mistake
// (exit status 2) is found before any file is read.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace swaprun::swapconv {

// A mistake in how the program was called: exit status 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class CommandKind { Help, Version, Info, Convert };

struct Command {
    CommandKind kind = CommandKind::Help;
    std::string info_path;    // Info: the .onnx or .swpk file to describe
    std::string input_path;   // Convert: IN.onnx
    std::string output_path;  // Convert: OUT.swpk
    // --bind NAME=FILE, in the order given.
    std::vector<std::pair<std::string, std::string>> bindings;
    // --input-shape NAME=D0,D1,...: sizes for an input's dynamic dimensions.
    std::vector<std::pair<std::string, std::vector<int64_t>>> input_shapes;
};

// args excludes the program name. Throws UsageError.
Command parse_command_line(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace swaprun::swapconv
