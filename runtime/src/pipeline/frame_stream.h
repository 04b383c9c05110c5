// A video passing through: frames read from an input stream as RGB8 images, and written,
// edited or not, to an output stream in the input's format. Y4M and raw RGB24 frames.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>

#include "pipeline/image.h"
#include "pipeline/y4m_format.h"

namespace swaprun::pipeline {

class FrameStream {
  public:
    virtual ~FrameStream() = default;

    int width() const { return width_; }
    int height() const { return height_; }

    // Reads the next frame into `frame` (given the stream's size). Returns false at the end
    // of the input (no byte after the last frame). Throws swaprun::Error naming the frame
    // (counting from 1): Format when the input ends inside it or is malformed.
    virtual bool read(Image& frame) = 0;
    // Writes the frame last read, with the content of `edited` (that image changed in place,
    // or not). Throws swaprun::Error (Io) when the output fails.
    virtual void write(const Image& edited) = 0;
    virtual void flush() = 0;
    // "Y4M C420jpeg" or "raw RGB24": for progress and error messages.
    virtual const char* format_name() const = 0;

  protected:
    FrameStream(int width, int height) : width_(width), height_(height) {}

  private:
    int width_;
    int height_;
};

// Reads the Y4M header from `in` and writes it to `out` at once (so a reader downstream
// sees the stream start before the first frame is done). Frames keep their FRAME
// parameters, and only the pixels an edit changed are re-encoded (update_y4m_where_changed).
// Throws swaprun::Error as Y4mReader does.
std::unique_ptr<FrameStream> open_y4m_stream(std::istream& in, std::ostream& out,
                                             const Y4mLimits& limits = {});

// Frames of width * height * 3 bytes, RGB order, rows top to bottom, no header. Throws
// swaprun::Error (InvalidArgument) for a non-positive size or one over `limits`
// (max_width, max_height, max_frame_bytes).
std::unique_ptr<FrameStream> open_raw_rgb_stream(std::istream& in, std::ostream& out, int width,
                                                 int height, const Y4mLimits& limits = {});

}  // namespace swaprun::pipeline
