#include "pipeline/y4m_reader.h"

#include <algorithm>
#include <string_view>

#include "pipeline/stream_read.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

std::string printable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 20)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

template <class Frame, class Byte>
Y4mPlanesOf<Byte> planes_of(const Y4mHeader& header, Frame& frame) {
    const uint64_t bytes = y4m_frame_bytes(header.width, header.height, header.chroma);
    if (frame.planes.size() != bytes) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("Y4M frame buffer holds ", frame.planes.size(), " bytes, a ",
                            header.width, "x", header.height, " frame needs ", bytes));
    }
    Y4mPlanesOf<Byte> planes;
    planes.sizes = y4m_plane_sizes(header.width, header.height, header.chroma);
    const size_t luma = size_t(planes.sizes.luma_width) * size_t(planes.sizes.luma_height);
    const size_t chroma = size_t(planes.sizes.chroma_width) * size_t(planes.sizes.chroma_height);
    planes.y = frame.planes.data();
    if (chroma != 0) {
        planes.u = planes.y + luma;
        planes.v = planes.u + chroma;
    }
    return planes;
}

}  // namespace

Y4mPlanes y4m_planes(const Y4mHeader& header, Y4mFrame& frame) {
    return planes_of<Y4mFrame, uint8_t>(header, frame);
}

Y4mConstPlanes y4m_planes(const Y4mHeader& header, const Y4mFrame& frame) {
    return planes_of<const Y4mFrame, const uint8_t>(header, frame);
}

Y4mReader::Y4mReader(std::istream& in, const Y4mLimits& limits) : in_(in), limits_(limits) {
    std::string line;
    switch (read_line(in_, limits_.max_header_bytes, line)) {
        case LineResult::Complete:
            break;
        case LineResult::Empty:
            throw Error(ErrorKind::Format, "Y4M stream is empty (no stream header)");
        case LineResult::Truncated:
            if (in_.bad()) throw Error(ErrorKind::Io, "reading the Y4M stream header failed");
            // A stream cut inside its header: say so, unless it is not Y4M at all.
            if (line.rfind("YUV4MPEG2", 0) != 0) parse_y4m_header(line, limits_);
            throw Error(ErrorKind::Format, "Y4M stream ends inside its header line");
        case LineResult::TooLong:
            throw Error(ErrorKind::Format,
                        str_cat("Y4M stream header line is longer than ", limits_.max_header_bytes,
                                " bytes (or not a Y4M stream)"));
    }
    header_ = parse_y4m_header(line, limits_);
    frame_bytes_ = y4m_frame_bytes(header_.width, header_.height, header_.chroma);
}

bool Y4mReader::read_frame(Y4mFrame& frame) {
    const int64_t number = frames_read_ + 1;
    std::string line;
    switch (read_line(in_, limits_.max_frame_header_bytes, line)) {
        case LineResult::Complete:
            break;
        case LineResult::Empty:
            if (in_.bad())
                throw Error(ErrorKind::Io, str_cat("reading Y4M frame ", number, " failed"));
            return false;
        case LineResult::Truncated:
            throw Error(ErrorKind::Format, str_cat("Y4M frame ", number,
                                                   " (counting from 1) is truncated: the "
                                                   "stream ends inside its FRAME line"));
        case LineResult::TooLong:
            throw Error(ErrorKind::Format, str_cat("Y4M frame ", number,
                                                   " (counting from 1): the FRAME line is "
                                                   "longer than ",
                                                   limits_.max_frame_header_bytes, " bytes"));
    }
    constexpr std::string_view kFrame = "FRAME";
    if (std::string_view(line).substr(0, kFrame.size()) != kFrame ||
        (line.size() > kFrame.size() && line[kFrame.size()] != ' ')) {
        throw Error(ErrorKind::Format,
                    str_cat("Y4M frame ", number,
                            " (counting from 1): expected a FRAME line, "
                            "found '",
                            printable(line), "' (is the size in the header right?)"));
    }
    frame.parameters = line.substr(kFrame.size());
    const size_t got = read_exactly(in_, frame_bytes_, frame.planes);
    if (got < frame_bytes_) {
        if (in_.bad()) throw Error(ErrorKind::Io, str_cat("reading Y4M frame ", number, " failed"));
        throw Error(ErrorKind::Format,
                    str_cat("Y4M frame ", number, " (counting from 1) is truncated: ", got, " of ",
                            frame_bytes_, " bytes"));
    }
    ++frames_read_;
    return true;
}

}  // namespace swaprun::pipeline
