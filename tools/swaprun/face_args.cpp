#include "tools/swaprun/face_args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "swaprun/swaprun.h"
#include "tools/swaprun/cli_args.h"

namespace swaprun::cli {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "WxH", each side a multiple of 32 from 32 to 2048.
pipeline::DetectorSize parse_detector_size(const std::string& text) {
    const size_t x = text.find('x');
    pipeline::DetectorSize size;
    if (x == std::string::npos) {
        throw UsageError("--det-size takes WIDTHxHEIGHT (such as 640x384), not '" + text + "'");
    }
    size.width =
        parse_count("--det-size's width", text.substr(0, x), pipeline::DetectorSize::kMaxSide);
    size.height =
        parse_count("--det-size's height", text.substr(x + 1), pipeline::DetectorSize::kMaxSide);
    if (!pipeline::DetectorSize::valid_side(size.width) ||
        !pipeline::DetectorSize::valid_side(size.height)) {
        throw UsageError("--det-size " + text + ": each side must be a multiple of 32 from 32 to " +
                         std::to_string(pipeline::DetectorSize::kMaxSide));
    }
    return size;
}

}  // namespace

pipeline::FivePoints parse_landmark_list(const std::string& flag, const std::string& text) {
    std::vector<double> values;
    size_t at = 0;
    while (at <= text.size()) {
        const size_t comma = std::min(text.find(',', at), text.size());
        const std::string item = text.substr(at, comma - at);
        double v = 0;
        const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() ||
            !std::isfinite(v)) {
            throw UsageError(flag + ": '" + item + "' is not a number (expected x1,y1,...,x5,y5)");
        }
        values.push_back(v);
        at = comma + 1;
    }
    if (values.size() != 10) {
        throw UsageError(flag + " takes 5 points as 10 numbers x1,y1,...,x5,y5 (eyes, nose, " +
                         "mouth corners), got " + std::to_string(values.size()) + " numbers");
    }
    pipeline::FivePoints points;
    for (size_t i = 0; i < 5; ++i) points[i] = {values[2 * i], values[2 * i + 1]};
    return points;
}

bool output_is_png(const std::string& path) {
    const size_t dot = path.find_last_of('.');
    const std::string ext = dot == std::string::npos ? "" : lower(path.substr(dot));
    if (ext == ".png") return true;
    if (ext == ".jpg" || ext == ".jpeg") return false;
    throw UsageError("the output '" + path + "' must end in .png, .jpg or .jpeg");
}

int parse_count(const std::string& flag, const std::string& text, int max) {
    int value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 0 || value > max) {
        throw UsageError(flag + " takes a whole number from 0 to " + std::to_string(max) +
                         ", not '" + text + "'");
    }
    return value;
}

int parse_device(const std::string& text) {
    if (text == "cpu") return 0;
    if (text == "vulkan") return 1;
    if (text.rfind("vulkan:", 0) == 0) {
        return 2 + parse_count("--device vulkan:N", text.substr(7), 1000);
    }
    throw UsageError("--device takes cpu, vulkan or vulkan:N, not '" + text + "'");
}

int parse_precision(const std::string& text) {
    if (text == "fp32") return SWR_PRECISION_FP32;
    if (text == "fp16") return SWR_PRECISION_FP16;
    if (text == "bf16x3") return SWR_PRECISION_BF16X3;
    throw UsageError("--precision takes fp32, fp16 or bf16x3, not '" + text + "'");
}

void check_precision_device(int precision, int device) {
    if (precision == SWR_PRECISION_BF16X3 && device != SWR_DEVICE_CPU) {
        throw UsageError("--precision bf16x3 is the CPU's (fp32 or fp16 on Vulkan)");
    }
}

bool parse_face_option(const std::vector<std::string>& args, size_t& i, FaceArgs& out) {
    std::string arg = args[i];
    std::optional<std::string> value;
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg.resize(eq);
    }
    static const std::set<std::string> with_value = {
        "--source",      "--target",           "-o",
        "--output",      "--models",           "--detector",
        "--recognizer",  "--swapper",          "--threads",
        "--device",      "--precision",        "--face",
        "--pixel-boost", "--source-landmarks", "--target-landmarks",
        "--det-size"};
    if (arg == "--low-memory") {
        if (value) throw UsageError("--low-memory takes no value");
        if (out.low_memory) throw UsageError("--low-memory is given twice");
        out.low_memory = true;
        return true;
    }
    if (arg == "--all-faces") {
        if (value) throw UsageError("--all-faces takes no value");
        if (out.all_faces) throw UsageError("--all-faces is given twice");
        if (out.face_index) throw UsageError("--all-faces and --face exclude each other");
        out.all_faces = true;
        return true;
    }
    if (!with_value.count(arg)) return false;
    if (!value) {
        if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
        value = args[++i];
    }
    auto set_once = [&](std::string& field) {
        if (!field.empty()) throw UsageError(arg + " is given twice");
        if (value->empty()) throw UsageError(arg + " needs a non-empty value");
        field = *value;
    };
    if (arg == "--source") {
        set_once(out.source);
    } else if (arg == "--target") {
        set_once(out.target);
    } else if (arg == "-o" || arg == "--output") {
        set_once(out.output);
        output_is_png(out.output);  // checks the extension now
    } else if (arg == "--models") {
        set_once(out.models_dir);
    } else if (arg == "--detector") {
        set_once(out.detector);
    } else if (arg == "--recognizer") {
        set_once(out.recognizer);
    } else if (arg == "--swapper") {
        set_once(out.swapper);
    } else if (arg == "--threads") {
        out.threads = parse_count(arg, *value, 4096);
    } else if (arg == "--device") {
        out.device = parse_device(*value);
    } else if (arg == "--precision") {
        out.precision = parse_precision(*value);
    } else if (arg == "--face") {
        if (out.face_index) throw UsageError("--face is given twice");
        if (out.all_faces) throw UsageError("--all-faces and --face exclude each other");
        out.face_index = parse_count(arg, *value, 100000);
    } else if (arg == "--pixel-boost") {
        if (*value != "256" && *value != "512") {
            throw UsageError("--pixel-boost takes 256 or 512, not '" + *value + "'");
        }
        out.pixel_boost = std::stoi(*value);
    } else if (arg == "--det-size") {
        if (out.detector_size) throw UsageError("--det-size is given twice");
        out.detector_size = parse_detector_size(*value);
    } else if (arg == "--source-landmarks") {
        if (out.source_landmarks) throw UsageError(arg + " is given twice");
        out.source_landmarks = parse_landmark_list(arg, *value);
    } else {
        if (out.target_landmarks) throw UsageError(arg + " is given twice");
        out.target_landmarks = parse_landmark_list(arg, *value);
    }
    return true;
}

}  // namespace swaprun::cli
