// Command-line parsing for swaprun. Parsing is separate from running so that every
// usage mistake (exit status 2) is found before any file is touched.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tools/swaprun/face_args.h"
#include "tools/swaprun/stream_args.h"

namespace swaprun::cli {

// A mistake in how the program was called: exit status 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class CommandKind { Help, Version, Infer, Info, Devices, Swap, Demo, Stream };

struct NamedFile {
    std::string name;
    std::string path;
};

struct Command {
    CommandKind kind = CommandKind::Help;
    std::string model_path;
    std::vector<NamedFile> inputs;
    std::vector<NamedFile> outputs;
    int threads = 0;    // 0: every core
    int device = 0;     // swr_context_options.device: 0 CPU, 1 best Vulkan, 2 + N Vulkan N
    int precision = 0;  // swr_context_options.precision: 0 fp32, 1 fp16
    int repeat = 0;     // timed runs after the first and the warm-up runs
    int warmup = 0;     // untimed runs after the first, before the timed ones
    bool verify_checksum = true;
    bool low_memory = false;     // swr_model_options.low_memory (infer, info)
    int max_activation_mb = 0;   // 0: the default (util/limits.h)
    bool cpu_fallback = false;   // swr_context_options.cpu_fallback
    std::string pipeline_cache;  // swr_context_options.pipeline_cache (Vulkan)
    bool profile = false;        // per-op times over the timed runs (or the one run)
    FaceArgs face;               // swap, demo, stream
    StreamArgs stream;           // stream
};

// args excludes the program name. Throws UsageError.
Command parse_command_line(const std::vector<std::string>& args);
// The same for args[0] == "stream" (stream_args.cpp).
Command parse_stream_command(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace swaprun::cli
