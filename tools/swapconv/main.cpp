// swapconv: converts an ONNX face-swap model into a packed .swpk file, or lists what a
// model holds (--info).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "converter/model_summary.h"
#include "format/swpk_io.h"
#include "util/error.h"

namespace {

constexpr const char* kUsage =
    "usage: swapconv IN.onnx OUT.swpk [--bind NAME=FILE ...]\n"
    "       swapconv --info FILE.onnx|FILE.swpk [--bind NAME=FILE ...]\n"
    "       swapconv --help | --version\n"
    "\n"
    "Converts an ONNX model into the packed .swpk format that swaprun runs.\n"
    "  --bind NAME=FILE   turn graph input NAME into a constant read from FILE\n"
    "                     (.npy, or an ONNX TensorProto .pb)\n"
    "  --info FILE        print the op list with shapes, parameter and MAC counts\n";

struct UsageError {
    std::string message;
};

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

int run(int argc, char** argv) {
    swaprun::convert::ConvertOptions options;
    std::vector<std::string> positional;
    std::string info_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--version") {
            std::cout << "swapconv 0.1.0 (writes .swpk format version 1)\n";
            return 0;
        }
        if (arg == "--bind" || arg == "--info") {
            if (i + 1 >= argc) throw UsageError{arg + " needs a value"};
            const std::string value = argv[++i];
            if (arg == "--info") {
                info_path = value;
                continue;
            }
            const auto eq = value.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
                throw UsageError{"--bind expects NAME=FILE, got '" + value + "'"};
            }
            options.bindings.emplace_back(value.substr(0, eq), value.substr(eq + 1));
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-') throw UsageError{"unknown option '" + arg + "'"};
        positional.push_back(arg);
    }

    if (!info_path.empty()) {
        if (!positional.empty()) throw UsageError{"--info takes no other file arguments"};
        if (ends_with(info_path, ".swpk")) {
            auto file = swaprun::format::SwpkFile::open(info_path);
            std::cout << "file: " << info_path << " (.swpk version " << file->version() << ")\n";
            swaprun::convert::print_model_summary(std::cout, file->model());
        } else {
            auto converted = swaprun::convert::convert_onnx_file(info_path, options);
            std::cout << "file: " << info_path << " (ONNX, as converted)\n";
            swaprun::convert::print_model_summary(std::cout, converted->description);
        }
        return 0;
    }
    if (positional.size() != 2) throw UsageError{"expected IN.onnx and OUT.swpk"};
    auto converted = swaprun::convert::convert_onnx_file(positional[0], options);
    swaprun::format::write_swpk(converted->description, positional[1]);
    const auto stats = swaprun::convert::model_stats(converted->description);
    std::cout << "wrote " << positional[1] << ": " << converted->description.ops.size() << " ops, "
              << stats.parameters << " parameters, " << stats.macs << " MACs\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "swapconv: " << e.message << "\n" << kUsage;
        return 2;
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
