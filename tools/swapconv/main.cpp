// swapconv: converts an ONNX face-swap model into a packed .swpk file, or lists what a
// model holds (--info).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "converter/model_summary.h"
#include "format/swpk_io.h"
#include "tools/swapconv/swapconv_args.h"
#include "util/error.h"

namespace {

// Names quoted from a damaged file can hold any byte: show control and non-ASCII bytes
// as \xNN so the message stays one readable line.
std::string printable(const std::string& text) {
    std::string out;
    for (unsigned char ch : text) {
        if (ch >= 0x20 && ch < 0x7f) {
            out += static_cast<char>(ch);
        } else {
            const char* digits = "0123456789abcdef";
            out += "\\x";
            out += digits[ch >> 4];
            out += digits[ch & 15];
        }
    }
    return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run(const swaprun::swapconv::Command& command) {
    using swaprun::swapconv::CommandKind;
    swaprun::convert::ConvertOptions options;
    options.bindings = command.bindings;
    options.input_shapes.by_name = command.input_shapes;
    switch (command.kind) {
        case CommandKind::Help:
            std::cout << swaprun::swapconv::kUsage;
            return 0;
        case CommandKind::Version:
            std::cout << "swapconv 0.1.0 (writes .swpk format version 1)\n";
            return 0;
        case CommandKind::Info:
            if (ends_with(command.info_path, ".swpk")) {
                auto file = swaprun::format::SwpkFile::open(command.info_path);
                std::cout << "file: " << command.info_path << " (.swpk version " << file->version()
                          << ")\n";
                swaprun::convert::print_model_summary(std::cout, file->model());
            } else {
                auto converted = swaprun::convert::convert_onnx_file(command.info_path, options);
                std::cout << "file: " << command.info_path << " (ONNX, as converted)\n";
                swaprun::convert::print_model_summary(std::cout, converted->description);
            }
            return 0;
        case CommandKind::Convert:
            break;
    }
    auto converted = swaprun::convert::convert_onnx_file(command.input_path, options);
    swaprun::format::write_swpk(converted->description, command.output_path);
    const auto stats = swaprun::convert::model_stats(converted->description);
    std::cout << "wrote " << command.output_path << ": " << converted->description.ops.size()
              << " ops, " << stats.parameters << " parameters, " << stats.macs << " MACs\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    swaprun::swapconv::Command command;
    try {
        command = swaprun::swapconv::parse_command_line({argv + 1, argv + argc});
    } catch (const swaprun::swapconv::UsageError& e) {
        std::cerr << "swapconv: " << e.what() << "\n" << swaprun::swapconv::kUsage;
        return 2;
    }
    try {
        return run(command);
    } catch (const swaprun::Error& e) {
        std::cerr << "swapconv: error: " << printable(e.what()) << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "swapconv: error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "swapconv: error: " << printable(e.what()) << "\n";
        return 1;
    }
}
