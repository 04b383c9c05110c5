// Writing a Y4M stream: the header once, then frames as they come (nothing is buffered
// beyond the std::ostream's own buffer, so a pipe reader sees each frame as it is written).
#pragma once

#include <cstdint>
#include <ostream>

#include "pipeline/y4m_format.h"
#include "pipeline/y4m_reader.h"

namespace swaprun::pipeline {

class Y4mWriter {
  public:
    // Writes the header line. Throws swaprun::Error (Io) when the stream fails.
    Y4mWriter(std::ostream& out, const Y4mHeader& header);

    // Writes "FRAME", the frame's parameters and its planes. Throws swaprun::Error:
    // InvalidArgument when the planes are not one frame of the header's layout, Io (naming
    // the frame, counting from 1) when the stream fails.
    void write_frame(const Y4mFrame& frame);
    void flush();
    int64_t frames_written() const { return frames_written_; }

  private:
    std::ostream& out_;
    Y4mHeader header_;
    uint64_t frame_bytes_ = 0;
    int64_t frames_written_ = 0;
};

}  // namespace swaprun::pipeline
