// The options only `swaprun stream` takes (the face options are in face_args.h).
#pragma once

#include <string>
#include <vector>

namespace swaprun::cli {

struct StreamArgs {
    // --size WxH: raw RGB24 frames of that size instead of Y4M (0: Y4M).
    int raw_width = 0;
    int raw_height = 0;
    int detect_every = 5;  // --detect-every N
    bool profile = false;  // --profile: per-stage times on standard error at the end
};

// Tries to read the option at args[i] (and its value, advancing i). Returns false when
// args[i] is not a stream option. Throws UsageError for a bad value.
bool parse_stream_option(const std::vector<std::string>& args, size_t& i, StreamArgs& out);

}  // namespace swaprun::cli
