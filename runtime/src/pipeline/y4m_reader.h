// Reading a Y4M stream frame by frame from any std::istream (a pipe, a file, a string),
// within Y4mLimits. This is the entry point for hostile input: construct a reader on the
// bytes, then call read_frame until it returns false; every malformed input throws
// swaprun::Error and nothing is allocated beyond the limits or the bytes present.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "pipeline/y4m_format.h"

namespace swaprun::pipeline {

struct Y4mFrame {
    // What followed "FRAME" on its line (with the leading space), written back verbatim.
    std::string parameters;
    // The Y, U and V planes, each tightly packed, in that order (Y only for Cmono).
    std::vector<uint8_t> planes;
};

// Pointers to the planes of a frame of `header`'s layout; u and v are null for Cmono.
template <class Byte>
struct Y4mPlanesOf {
    Byte* y = nullptr;
    Byte* u = nullptr;
    Byte* v = nullptr;
    Y4mPlaneSizes sizes;
};
using Y4mPlanes = Y4mPlanesOf<uint8_t>;
using Y4mConstPlanes = Y4mPlanesOf<const uint8_t>;
// Throw swaprun::Error (InvalidArgument) when the frame's buffer is not one frame's size.
Y4mPlanes y4m_planes(const Y4mHeader& header, Y4mFrame& frame);
Y4mConstPlanes y4m_planes(const Y4mHeader& header, const Y4mFrame& frame);

class Y4mReader {
  public:
    // Reads and checks the stream header. Throws swaprun::Error as parse_y4m_header does,
    // and Format when the stream ends before the header line does or the line is longer
    // than limits.max_header_bytes.
    explicit Y4mReader(std::istream& in, const Y4mLimits& limits = {});

    const Y4mHeader& header() const { return header_; }
    uint64_t frame_bytes() const { return frame_bytes_; }
    // Frames read completely so far.
    int64_t frames_read() const { return frames_read_; }

    // Reads the next frame into `frame`, reusing its buffer. Returns false at the end of
    // the stream (no byte after the last frame). Throws swaprun::Error naming the frame
    // (counting from 1): Format when the stream ends inside the frame, or its FRAME line
    // is malformed or longer than limits.max_frame_header_bytes; Io when reading fails.
    bool read_frame(Y4mFrame& frame);

  private:
    std::istream& in_;
    Y4mLimits limits_;
    Y4mHeader header_;
    uint64_t frame_bytes_ = 0;
    int64_t frames_read_ = 0;
};

}  // namespace swaprun::pipeline
