// Fuzz target: a Y4M video stream (swaprun's frame input), header and every frame.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "pipeline/y4m_reader.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace swaprun;
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    // The default frame limit (192 MB) is legitimate but makes each run slow; a lower
    // one still exercises the checks.
    pipeline::Y4mLimits limits;
    limits.max_frame_bytes = 16u << 20;
    try {
        pipeline::Y4mReader reader(in, limits);
        pipeline::Y4mFrame frame;
        while (reader.read_frame(frame)) {
            (void)pipeline::y4m_planes(reader.header(), frame);
        }
    } catch (const Error&) {
    }
    return 0;
}
