#include "tools/swapconv/swapconv_args.h"

#include <charconv>
#include <system_error>
#include <utility>

namespace swaprun::swapconv {

const char* const kUsage =
    "usage: swapconv IN.onnx OUT.swpk [--bind NAME=FILE ...] [--input-shape NAME=D0,D1,... ...]\n"
    "       swapconv --info FILE.onnx|FILE.swpk [--bind NAME=FILE ...] [--input-shape ...]\n"
    "       swapconv --help | --version\n"
    "\n"
    "Converts an ONNX model into the packed .swpk format that swaprun runs.\n"
    "  --bind NAME=FILE   turn graph input NAME into a constant read from FILE\n"
    "                     (.npy, or an ONNX TensorProto .pb)\n"
    "  --input-shape NAME=D0,D1,...\n"
    "                     the sizes of graph input NAME where the model leaves them\n"
    "                     dynamic (insightface's det_10g: input.1=1,3,640,640); the\n"
    "                     .swpk's shapes are fixed at conversion\n"
    "  --info FILE        print the op list with shapes, parameter and MAC counts\n";

namespace {

// NAME=D0,D1,... with every D a positive integer.
std::pair<std::string, std::vector<int64_t>> parse_input_shape(const std::string& value) {
    const auto eq = value.find('=');
    const std::string bad =
        "--input-shape expects NAME=D0,D1,... (positive sizes), got '" + value + "'";
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) throw UsageError(bad);
    std::vector<int64_t> dims;
    const char* p = value.data() + eq + 1;
    const char* const end = value.data() + value.size();
    while (true) {
        int64_t d = 0;
        const auto [next, ec] = std::from_chars(p, end, d);
        if (ec != std::errc() || next == p || d < 1 || d > (int64_t{1} << 31)) {
            throw UsageError(bad);
        }
        dims.push_back(d);
        if (next == end) break;
        if (*next != ',') throw UsageError(bad);
        p = next + 1;
    }
    return {value.substr(0, eq), std::move(dims)};
}

}  // namespace

Command parse_command_line(const std::vector<std::string>& args) {
    Command command;
    std::vector<std::string> positional;
    bool info_given = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            command.kind = CommandKind::Help;
            return command;
        }
        if (arg == "--version") {
            command.kind = CommandKind::Version;
            return command;
        }
        if (arg == "--input-shape") {
            if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
            command.input_shapes.push_back(parse_input_shape(args[++i]));
            continue;
        }
        if (arg == "--bind" || arg == "--info") {
            if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
            const std::string& value = args[++i];
            if (arg == "--info") {
                if (info_given) throw UsageError("--info is given twice");
                if (value.empty()) throw UsageError("--info needs a file name");
                info_given = true;
                command.info_path = value;
                continue;
            }
            const auto eq = value.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
                throw UsageError("--bind expects NAME=FILE, got '" + value + "'");
            }
            command.bindings.emplace_back(value.substr(0, eq), value.substr(eq + 1));
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-') throw UsageError("unknown option '" + arg + "'");
        positional.push_back(arg);
    }
    if (info_given) {
        if (!positional.empty()) throw UsageError("--info takes no other file arguments");
        command.kind = CommandKind::Info;
        return command;
    }
    if (positional.size() != 2) throw UsageError("expected IN.onnx and OUT.swpk");
    if (positional[0].empty() || positional[1].empty()) {
        throw UsageError("file names must not be empty");
    }
    command.kind = CommandKind::Convert;
    command.input_path = positional[0];
    command.output_path = positional[1];
    return command;
}

}  // namespace swaprun::swapconv
