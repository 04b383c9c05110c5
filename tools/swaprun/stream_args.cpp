#include "tools/swaprun/stream_args.h"

#include <charconv>
#include <limits>

#include "tools/swaprun/cli_args.h"

namespace swaprun::cli {

namespace {

// A whole decimal number in [1, max] into `out`; false otherwise.
bool parse_positive(std::string_view text, int max, int& out) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
        return false;
    }
    out = value;
    return true;
}

const std::string& value_of(const std::vector<std::string>& args, size_t& i) {
    if (i + 1 >= args.size()) throw UsageError("option '" + args[i] + "' needs a value");
    return args[++i];
}

}  // namespace

bool parse_stream_option(const std::vector<std::string>& args, size_t& i, StreamArgs& out) {
    const std::string& flag = args[i];
    if (flag == "--size") {
        const std::string& text = value_of(args, i);
        const size_t x = text.find('x');
        constexpr int kMax = std::numeric_limits<int>::max();
        if (x == std::string::npos ||
            !parse_positive(std::string_view(text).substr(0, x), kMax, out.raw_width) ||
            !parse_positive(std::string_view(text).substr(x + 1), kMax, out.raw_height)) {
            throw UsageError("--size '" + text + "': expected WIDTHxHEIGHT, both positive");
        }
        return true;
    }
    if (flag == "--detect-every") {
        const std::string& text = value_of(args, i);
        if (!parse_positive(text, 1000000, out.detect_every)) {
            throw UsageError("--detect-every '" + text + "': expected a whole number from 1");
        }
        return true;
    }
    if (flag == "--profile") {
        out.profile = true;
        return true;
    }
    return false;
}

Command parse_stream_command(const std::vector<std::string>& args) {
    Command command;
    command.kind = CommandKind::Stream;
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            command.kind = CommandKind::Help;
            return command;
        }
        if (!parse_stream_option(args, i, command.stream) &&
            !parse_face_option(args, i, command.face)) {
            throw UsageError("unknown option or argument '" + args[i] + "' for 'stream'");
        }
    }
    const FaceArgs& face = command.face;
    check_precision_device(face.precision, face.device);
    if (!face.target.empty() || !face.output.empty() || face.target_landmarks) {
        throw UsageError(
            "'stream' reads frames from standard input and writes them to standard output: "
            "--target, -o and --target-landmarks do not apply");
    }
    if (face.source.empty()) throw UsageError("'stream' needs --source FACE");
    return command;
}

}  // namespace swaprun::cli
