#include "pipeline/frame_stream.h"

#include <cstring>
#include <string>
#include <vector>

#include "pipeline/stream_read.h"
#include "pipeline/y4m_reader.h"
#include "pipeline/y4m_writer.h"
#include "pipeline/yuv_rgb.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

class Y4mFrameStream final : public FrameStream {
  public:
    Y4mFrameStream(std::istream& in, std::ostream& out, const Y4mLimits& limits)
        : Y4mFrameStream(std::make_unique<Y4mReader>(in, limits), out) {}

    bool read(Image& frame) override {
        if (!reader_->read_frame(frame_)) return false;
        y4m_to_rgb(reader_->header(), frame_, decoded_);
        if (frame.width() != width() || frame.height() != height())
            frame = Image(width(), height());
        std::memcpy(frame.data(), decoded_.data(), decoded_.size_bytes());
        return true;
    }

    void write(const Image& edited) override {
        update_y4m_where_changed(decoded_, edited, reader_->header(), frame_);
        writer_.write_frame(frame_);
    }

    void flush() override { writer_.flush(); }
    const char* format_name() const override { return name_.c_str(); }

  private:
    Y4mFrameStream(std::unique_ptr<Y4mReader> reader, std::ostream& out)
        : FrameStream(reader->header().width, reader->header().height),
          reader_(std::move(reader)),
          writer_(out, reader_->header()),
          name_(std::string("Y4M C") + y4m_chroma_name(reader_->header().chroma)) {}

    std::unique_ptr<Y4mReader> reader_;
    Y4mWriter writer_;
    std::string name_;
    Y4mFrame frame_;
    Image decoded_;
};

class RawRgbFrameStream final : public FrameStream {
  public:
    RawRgbFrameStream(std::istream& in, std::ostream& out, int width, int height)
        : FrameStream(width, height), in_(in), out_(out) {}

    bool read(Image& frame) override {
        const int64_t number = frames_read_ + 1;
        const uint64_t bytes = uint64_t(width()) * uint64_t(height()) * 3;
        const size_t got = read_exactly(in_, bytes, buffer_);
        if (got == 0) return false;
        if (got < bytes) {
            throw Error(ErrorKind::Format,
                        str_cat("raw RGB24 frame ", number, " (counting from 1) is truncated: ",
                                got, " of ", bytes, " bytes (", width(), "x", height(), "x3)"));
        }
        if (frame.width() != width() || frame.height() != height())
            frame = Image(width(), height());
        std::memcpy(frame.data(), buffer_.data(), buffer_.size());
        ++frames_read_;
        return true;
    }

    void write(const Image& edited) override {
        if (edited.width() != width() || edited.height() != height()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("raw RGB24 output: frame is ", edited.width(), "x", edited.height(),
                                ", the stream's ", width(), "x", height()));
        }
        out_.write(reinterpret_cast<const char*>(edited.data()),
                   static_cast<std::streamsize>(edited.size_bytes()));
        if (!out_) {
            throw Error(ErrorKind::Io, str_cat("writing raw RGB24 frame ", frames_written_ + 1,
                                               " (counting from 1) failed"));
        }
        ++frames_written_;
    }

    void flush() override {
        out_.flush();
        if (!out_) throw Error(ErrorKind::Io, "flushing the raw RGB24 output failed");
    }
    const char* format_name() const override { return "raw RGB24"; }

  private:
    std::istream& in_;
    std::ostream& out_;
    std::vector<uint8_t> buffer_;
    int64_t frames_read_ = 0;
    int64_t frames_written_ = 0;
};

}  // namespace

std::unique_ptr<FrameStream> open_y4m_stream(std::istream& in, std::ostream& out,
                                             const Y4mLimits& limits) {
    return std::make_unique<Y4mFrameStream>(in, out, limits);
}

std::unique_ptr<FrameStream> open_raw_rgb_stream(std::istream& in, std::ostream& out, int width,
                                                 int height, const Y4mLimits& limits) {
    if (width <= 0 || height <= 0) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("raw RGB24 frames: size must be positive, got ", width, "x", height));
    }
    if (width > limits.max_width || height > limits.max_height) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("raw RGB24 frames: ", width, "x", height, " is over the limit of ",
                            limits.max_width, "x", limits.max_height));
    }
    const uint64_t bytes = uint64_t(width) * uint64_t(height) * 3;
    if (bytes > limits.max_frame_bytes) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("raw RGB24 frames: a ", width, "x", height, " frame is ", bytes,
                            " bytes, over the limit of ", limits.max_frame_bytes));
    }
    return std::make_unique<RawRgbFrameStream>(in, out, width, height);
}

}  // namespace swaprun::pipeline
