#include "pipeline/frame_stream.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

std::string seeded_bytes(size_t count, uint32_t seed) {
    std::mt19937 random(seed);
    std::string out(count, '\0');
    for (char& c : out) c = static_cast<char>(random() & 0xff);
    return out;
}

TEST(FrameStream, Y4mFramesWithoutEditsPassThroughByteForByte) {
    const std::string header = "YUV4MPEG2 W10 H6 F25:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n";
    std::string input = header;
    for (int f = 0; f < 3; ++f) input += "FRAME\n" + seeded_bytes(60 + 2 * 15, f);
    std::istringstream in(input);
    std::ostringstream out;
    auto stream = open_y4m_stream(in, out);
    EXPECT_EQ(out.str(), header);  // the header goes out before any frame is read
    EXPECT_EQ(stream->width(), 10);
    EXPECT_EQ(stream->height(), 6);
    EXPECT_STREQ(stream->format_name(), "Y4M C420jpeg");
    Image frame;
    int frames = 0;
    while (stream->read(frame)) {
        ++frames;
        stream->write(frame);
    }
    stream->flush();
    EXPECT_EQ(frames, 3);
    EXPECT_EQ(out.str(), input);
}

TEST(FrameStream, Y4mEditChangesOnlyTheBytesUnderIt) {
    std::string input = "YUV4MPEG2 W8 H8 C444\n";
    input += "FRAME\n" + seeded_bytes(3 * 64, 9);
    std::istringstream in(input);
    std::ostringstream out;
    auto stream = open_y4m_stream(in, out);
    Image frame;
    ASSERT_TRUE(stream->read(frame));
    frame.pixel(2, 3)[0] ^= 0x80;
    stream->write(frame);
    const std::string result = out.str();
    ASSERT_EQ(result.size(), input.size());
    const size_t data = input.size() - 3 * 64;
    int differing = 0;
    for (size_t i = 0; i < input.size(); ++i) {
        if (result[i] == input[i]) continue;
        ++differing;
        const size_t offset = (i - data) % 64;
        EXPECT_EQ(offset, 3u * 8 + 2) << "byte " << i;
    }
    EXPECT_GE(differing, 1);
    EXPECT_FALSE(stream->read(frame));
}

TEST(FrameStream, RawRgbPassesFramesThroughAndNamesATruncatedOne) {
    const std::string two = seeded_bytes(2 * 4 * 3 * 3, 5);
    std::istringstream in(two + "abc");
    std::ostringstream out;
    auto stream = open_raw_rgb_stream(in, out, 4, 3);
    EXPECT_STREQ(stream->format_name(), "raw RGB24");
    Image frame;
    ASSERT_TRUE(stream->read(frame));
    stream->write(frame);
    ASSERT_TRUE(stream->read(frame));
    stream->write(frame);
    try {
        stream->read(frame);
        FAIL() << "no error for a truncated frame";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("frame 3 (counting from 1) is truncated: 3 of 36"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(out.str(), two);
}

TEST(FrameStream, RawRgbSizeMustBePositiveAndWithinLimits) {
    std::istringstream in;
    std::ostringstream out;
    EXPECT_THROW(open_raw_rgb_stream(in, out, 0, 10), Error);
    EXPECT_THROW(open_raw_rgb_stream(in, out, 10, -1), Error);
    EXPECT_THROW(open_raw_rgb_stream(in, out, 16385, 10), Error);
    Y4mLimits limits;
    limits.max_frame_bytes = 299;
    EXPECT_THROW(open_raw_rgb_stream(in, out, 10, 10, limits), Error);
    limits.max_frame_bytes = 300;
    auto stream = open_raw_rgb_stream(in, out, 10, 10, limits);
    Image frame;
    EXPECT_FALSE(stream->read(frame));  // an empty input is zero frames
}

TEST(FrameStream, Y4mErrorsComeFromTheReader) {
    std::istringstream in("YUV4MPEG2 W8 H8\nFRAME\n" + std::string(10, 'x'));
    std::ostringstream out;
    auto stream = open_y4m_stream(in, out);
    Image frame;
    EXPECT_THROW(stream->read(frame), Error);
    std::istringstream bad("not y4m\n");
    EXPECT_THROW(open_y4m_stream(bad, out), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
