// YUV4MPEG2 (Y4M), the raw video format ffmpeg's yuv4mpegpipe reads and writes: a stream
// header line, then frames, each a "FRAME" line followed by the Y, U and V planes.
// https://wiki.multimedia.cx/index.php/YUV4MPEG2 describes the tags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace swaprun::pipeline {

// The 8-bit sampling layouts read and written. The four 4:2:0 variants differ only in
// where the chroma samples sit; the conversion to RGB treats them alike (see yuv_rgb.h).
enum class Y4mChroma {
    C420jpeg,   // 4:2:0, chroma centred between the four luma samples (the default)
    C420mpeg2,  // 4:2:0, chroma co-sited with the left luma samples
    C420paldv,  // 4:2:0, chroma co-sited with the top-left luma sample
    C420,       // 4:2:0 as written by older tools (treated as C420jpeg, as ffmpeg does)
    C422,
    C444,
    Mono,  // luma only
};

struct Y4mRatio {
    int64_t numerator = 0;
    int64_t denominator = 0;
};

struct Y4mHeader {
    int width = 0;
    int height = 0;
    Y4mChroma chroma = Y4mChroma::C420jpeg;
    // Each tag below is written back only when the input had it, exactly as it was.
    bool has_chroma_tag = false;
    bool has_frame_rate = false;
    Y4mRatio frame_rate;
    char interlacing = 0;  // 'p', 't', 'b', 'm' or '?'; 0 when absent
    bool has_aspect = false;
    Y4mRatio aspect;  // pixel aspect ratio; 0:0 means unknown
    // XCOLORRANGE=FULL: full-range (JPEG) levels; otherwise limited (16..235 luma).
    bool full_range = false;
    // Every other tag (X extensions such as ffmpeg's XYSCSS and XCOLORRANGE, and letters
    // this reader does not know), verbatim, in order.
    std::vector<std::string> extensions;
};

// What a hostile or mistaken stream may make the reader accept and allocate. The frame
// buffer grows only as frame bytes actually arrive, so a header that claims a large size
// costs nothing until its data is there.
struct Y4mLimits {
    int max_width = 16384;
    int max_height = 16384;
    uint64_t max_frame_bytes = uint64_t{192} << 20;  // 8K 4:4:4 frames fit (99.5 MB)
    size_t max_header_bytes = 4096;                  // the stream header line
    size_t max_frame_header_bytes = 1024;            // each FRAME line
};

struct Y4mPlaneSizes {
    int luma_width = 0, luma_height = 0;
    int chroma_width = 0, chroma_height = 0;  // 0 for Mono
};

// Chroma planes round up for odd sizes, as ffmpeg lays them out.
Y4mPlaneSizes y4m_plane_sizes(int width, int height, Y4mChroma chroma);
// Bytes of one frame's planes (no FRAME line). Fits in uint64_t for any int size.
uint64_t y4m_frame_bytes(int width, int height, Y4mChroma chroma);

// The tag's text without the leading 'C': "420jpeg", "444", "mono".
const char* y4m_chroma_name(Y4mChroma chroma);

// Parses the header line without its trailing newline ("YUV4MPEG2 W640 H480 ..."). Throws
// swaprun::Error: Format for a malformed line or a missing or bad size, InvalidArgument
// for a size over `limits`, Unsupported for a sampling other than those above (high bit
// depths, 4:1:1, alpha).
Y4mHeader parse_y4m_header(const std::string& line, const Y4mLimits& limits = {});

// The header line, with its newline.
std::string format_y4m_header(const Y4mHeader& header);

}  // namespace swaprun::pipeline
