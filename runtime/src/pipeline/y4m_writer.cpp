#include "pipeline/y4m_writer.h"

#include <string>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

Y4mWriter::Y4mWriter(std::ostream& out, const Y4mHeader& header)
    : out_(out),
      header_(header),
      frame_bytes_(y4m_frame_bytes(header.width, header.height, header.chroma)) {
    const std::string line = format_y4m_header(header_);
    out_.write(line.data(), static_cast<std::streamsize>(line.size()));
    if (!out_) throw Error(ErrorKind::Io, "writing the Y4M stream header failed");
}

void Y4mWriter::write_frame(const Y4mFrame& frame) {
    const int64_t number = frames_written_ + 1;
    if (frame.planes.size() != frame_bytes_) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("Y4M frame ", number, " holds ", frame.planes.size(),
                            " bytes; the stream's frames are ", frame_bytes_));
    }
    if (frame.parameters.find('\n') != std::string::npos ||
        (!frame.parameters.empty() && frame.parameters[0] != ' ')) {
        throw Error(ErrorKind::InvalidArgument, str_cat("Y4M frame ", number,
                                                        ": parameters must start with a space and "
                                                        "hold no newline"));
    }
    out_ << "FRAME" << frame.parameters << '\n';
    out_.write(reinterpret_cast<const char*>(frame.planes.data()),
               static_cast<std::streamsize>(frame.planes.size()));
    if (!out_) {
        throw Error(ErrorKind::Io,
                    str_cat("writing Y4M frame ", number, " (counting from 1) failed"));
    }
    ++frames_written_;
}

void Y4mWriter::flush() {
    out_.flush();
    if (!out_) throw Error(ErrorKind::Io, "flushing the Y4M stream failed");
}

}  // namespace swaprun::pipeline
