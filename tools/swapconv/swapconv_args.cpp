#include "tools/swapconv/swapconv_args.h"

namespace swaprun::swapconv {

const char* const kUsage =
    "usage: swapconv IN.onnx OUT.swpk [--bind NAME=FILE ...]\n"
    "       swapconv --info FILE.onnx|FILE.swpk [--bind NAME=FILE ...]\n"
    "       swapconv --help | --version\n"
    "\n"
    "Converts an ONNX model into the packed .swpk format that swaprun runs.\n"
    "  --bind NAME=FILE   turn graph input NAME into a constant read from FILE\n"
    "                     (.npy, or an ONNX TensorProto .pb)\n"
    "  --info FILE        print the op list with shapes, parameter and MAC counts\n";

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
