#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>

#include "pipeline/y4m_format.h"
#include "pipeline/y4m_reader.h"
#include "pipeline/y4m_writer.h"
#include "util/error.h"

namespace swaprun::pipeline {
namespace {

// A stream of `frames` frames of seeded bytes after `header_line` (which has its newline).
std::string make_stream(const std::string& header_line, int frames, uint32_t seed = 1) {
    const Y4mHeader header = parse_y4m_header(header_line.substr(0, header_line.size() - 1));
    const uint64_t bytes = y4m_frame_bytes(header.width, header.height, header.chroma);
    std::mt19937 random(seed);
    std::string stream = header_line;
    for (int f = 0; f < frames; ++f) {
        stream += f == 1 ? "FRAME Ixyz\n" : "FRAME\n";
        for (uint64_t i = 0; i < bytes; ++i) stream += static_cast<char>(random() & 0xff);
    }
    return stream;
}

// The message of the swaprun::Error `f` throws, checking its kind.
template <class F>
std::string error_of(F&& f, ErrorKind kind) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a swaprun::Error: " << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no error thrown";
    return {};
}

int count_frames(const std::string& stream, const Y4mLimits& limits = {}) {
    std::istringstream in(stream);
    Y4mReader reader(in, limits);
    Y4mFrame frame;
    while (reader.read_frame(frame)) {
    }
    return static_cast<int>(reader.frames_read());
}

TEST(Y4mHeader, ParsesWhatFfmpegWritesAndWritesItBackUnchanged) {
    const std::string line =
        "YUV4MPEG2 W64 H48 F30000:1001 It A128:117 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED";
    const Y4mHeader h = parse_y4m_header(line);
    EXPECT_EQ(h.width, 64);
    EXPECT_EQ(h.height, 48);
    EXPECT_EQ(h.frame_rate.numerator, 30000);
    EXPECT_EQ(h.frame_rate.denominator, 1001);
    EXPECT_EQ(h.interlacing, 't');
    EXPECT_EQ(h.aspect.numerator, 128);
    EXPECT_EQ(h.aspect.denominator, 117);
    EXPECT_EQ(h.chroma, Y4mChroma::C420mpeg2);
    EXPECT_FALSE(h.full_range);
    ASSERT_EQ(h.extensions.size(), 2u);
    EXPECT_EQ(h.extensions[0], "XYSCSS=420MPEG2");
    EXPECT_EQ(format_y4m_header(h), line + "\n");
}

TEST(Y4mHeader, MinimalHeaderDefaultsTo420jpegAndWritesNoTagsItDidNotHave) {
    const Y4mHeader h = parse_y4m_header("YUV4MPEG2 W3 H5");
    EXPECT_EQ(h.chroma, Y4mChroma::C420jpeg);
    EXPECT_FALSE(h.has_chroma_tag);
    EXPECT_FALSE(h.has_frame_rate);
    EXPECT_EQ(h.interlacing, 0);
    EXPECT_EQ(format_y4m_header(h), "YUV4MPEG2 W3 H5\n");
    EXPECT_TRUE(parse_y4m_header("YUV4MPEG2 W3 H5 XCOLORRANGE=FULL").full_range);
    // Unknown letters are kept, as the format asks readers to.
    EXPECT_EQ(format_y4m_header(parse_y4m_header("YUV4MPEG2  W3 H5 Zfoo ")),
              "YUV4MPEG2 W3 H5 Zfoo\n");
}

TEST(Y4mHeader, PlaneSizesForEveryChromaModeRoundUpOddSizes) {
    struct Case {
        const char* tag;
        Y4mChroma chroma;
        int chroma_width, chroma_height;  // for a 7x5 frame
    };
    const Case cases[] = {
        {"420jpeg", Y4mChroma::C420jpeg, 4, 3},   {"420mpeg2", Y4mChroma::C420mpeg2, 4, 3},
        {"420paldv", Y4mChroma::C420paldv, 4, 3}, {"420", Y4mChroma::C420, 4, 3},
        {"422", Y4mChroma::C422, 4, 5},           {"444", Y4mChroma::C444, 7, 5},
        {"mono", Y4mChroma::Mono, 0, 0}};
    for (const Case& c : cases) {
        const Y4mHeader h = parse_y4m_header(std::string("YUV4MPEG2 W7 H5 C") + c.tag);
        EXPECT_EQ(h.chroma, c.chroma) << c.tag;
        EXPECT_EQ(std::string(y4m_chroma_name(h.chroma)), c.tag);
        const Y4mPlaneSizes s = y4m_plane_sizes(7, 5, h.chroma);
        EXPECT_EQ(s.chroma_width, c.chroma_width) << c.tag;
        EXPECT_EQ(s.chroma_height, c.chroma_height) << c.tag;
        EXPECT_EQ(y4m_frame_bytes(7, 5, h.chroma), 35u + 2u * c.chroma_width * c.chroma_height);
    }
}

TEST(Y4mHeader, BadHeadersNameWhatIsWrong) {
    struct Case {
        const char* line;
        ErrorKind kind;
        const char* says;
    };
    const Case cases[] = {
        {"RIFF W64 H48", ErrorKind::Format, "not a Y4M"},
        {"YUV4MPEG2W64 H48", ErrorKind::Format, "not a Y4M"},
        {"YUV4MPEG2 H48", ErrorKind::Format, "missing"},
        {"YUV4MPEG2 W64", ErrorKind::Format, "missing"},
        {"YUV4MPEG2 W0 H48", ErrorKind::Format, "width is zero"},
        {"YUV4MPEG2 W64 H0", ErrorKind::Format, "height is zero"},
        {"YUV4MPEG2 W-64 H48", ErrorKind::Format, "'W-64'"},
        {"YUV4MPEG2 W64x H48", ErrorKind::Format, "'W64x'"},
        {"YUV4MPEG2 W H48", ErrorKind::Format, "'W'"},
        {"YUV4MPEG2 W99999999999999999999 H48", ErrorKind::Format, "W9999"},
        {"YUV4MPEG2 W64 W64 H48", ErrorKind::Format, "twice"},
        {"YUV4MPEG2 W16385 H48", ErrorKind::InvalidArgument, "width 16385 is over the limit"},
        {"YUV4MPEG2 W64 H16385", ErrorKind::InvalidArgument, "height 16385 is over the limit"},
        {"YUV4MPEG2 W16384 H16384 C444", ErrorKind::InvalidArgument, "over the limit of"},
        {"YUV4MPEG2 W64 H48 C420p10", ErrorKind::Unsupported, "'C420p10' is not supported"},
        {"YUV4MPEG2 W64 H48 C411", ErrorKind::Unsupported, "'C411'"},
        {"YUV4MPEG2 W64 H48 C444alpha", ErrorKind::Unsupported, "'C444alpha'"},
        {"YUV4MPEG2 W64 H48 Ix", ErrorKind::Format, "interlacing"},
        {"YUV4MPEG2 W64 H48 F25", ErrorKind::Format, "ratio"},
        {"YUV4MPEG2 W64 H48 A1:x", ErrorKind::Format, "'A1:x'"},
    };
    for (const Case& c : cases) {
        const std::string message = error_of([&] { parse_y4m_header(c.line); }, c.kind);
        EXPECT_NE(message.find(c.says), std::string::npos) << c.line << " -> " << message;
    }
}

TEST(Y4mStream, EveryChromaModeRoundTripsByteForByte) {
    for (const char* tag : {"420jpeg", "420mpeg2", "420paldv", "420", "422", "444", "mono"}) {
        const std::string input =
            make_stream(std::string("YUV4MPEG2 W9 H7 F25:1 Ip A1:1 C") + tag + " XYSCSS=X\n", 3);
        std::istringstream in(input);
        std::ostringstream out;
        Y4mReader reader(in);
        Y4mWriter writer(out, reader.header());
        Y4mFrame frame;
        while (reader.read_frame(frame)) writer.write_frame(frame);
        EXPECT_EQ(reader.frames_read(), 3) << tag;
        EXPECT_EQ(writer.frames_written(), 3) << tag;
        EXPECT_EQ(out.str(), input) << tag;
    }
}

TEST(Y4mStream, ZeroFramesIsAValidStream) { EXPECT_EQ(count_frames("YUV4MPEG2 W8 H8\n"), 0); }

TEST(Y4mStream, EmptyOrCutHeaderIsAnError) {
    EXPECT_NE(error_of([] { count_frames(""); }, ErrorKind::Format).find("empty"),
              std::string::npos);
    EXPECT_NE(error_of([] { count_frames("YUV4MPEG2 W8 H8"); }, ErrorKind::Format)
                  .find("ends inside its header"),
              std::string::npos);
    EXPECT_NE(error_of([] { count_frames("YUV4MPEG2 W8 H8 F25:1 A"); }, ErrorKind::Format)
                  .find("ends inside its header"),
              std::string::npos);
    EXPECT_NE(error_of([] { count_frames("GIF89a...."); }, ErrorKind::Format).find("not a Y4M"),
              std::string::npos);
    Y4mLimits limits;
    limits.max_header_bytes = 32;
    EXPECT_NE(
        error_of([&] { count_frames("YUV4MPEG2 W8 H8 " + std::string(40, 'X') + "\n", limits); },
                 ErrorKind::Format)
            .find("longer than 32 bytes"),
        std::string::npos);
}

TEST(Y4mStream, TruncationAnywhereNamesTheFrame) {
    const std::string full = make_stream("YUV4MPEG2 W8 H6 C420jpeg\n", 3);
    const size_t header = std::string("YUV4MPEG2 W8 H6 C420jpeg\n").size();
    const size_t frame_bytes = 48 + 2 * 12;
    // Frame 1 is "FRAME\n" + data; frame 2 is "FRAME Ixyz\n" + data.
    const size_t frame2 = header + 6 + frame_bytes;
    struct Cut {
        size_t at;
        const char* says;
    };
    const Cut cuts[] = {
        {header + 3, "frame 1 (counting from 1) is truncated: the stream ends inside its FRAME"},
        {header + 6, "frame 1 (counting from 1) is truncated: 0 of 72 bytes"},
        {header + 6 + 50, "frame 1 (counting from 1) is truncated: 50 of 72 bytes"},
        {frame2 + 7, "frame 2 (counting from 1) is truncated: the stream ends inside"},
        {frame2 + 11 + 71, "frame 2 (counting from 1) is truncated: 71 of 72 bytes"},
        {full.size() - 1, "frame 3 (counting from 1) is truncated: 71 of 72 bytes"},
    };
    for (const Cut& cut : cuts) {
        const std::string message =
            error_of([&] { count_frames(full.substr(0, cut.at)); }, ErrorKind::Format);
        EXPECT_NE(message.find(cut.says), std::string::npos) << cut.at << ": " << message;
    }
    EXPECT_EQ(count_frames(full), 3);
    EXPECT_EQ(count_frames(full.substr(0, frame2)), 1);
}

TEST(Y4mStream, ExtraOrMissingBytesShowAsABadFrameLine) {
    std::string stream = make_stream("YUV4MPEG2 W8 H6\n", 2);
    // One byte too many in frame 1: frame 2's line then starts one byte late.
    stream.insert(std::string("YUV4MPEG2 W8 H6\nFRAME\n").size(), "Q");
    const std::string message = error_of([&] { count_frames(stream); }, ErrorKind::Format);
    EXPECT_NE(message.find("frame 2 (counting from 1): expected a FRAME line"), std::string::npos)
        << message;
    Y4mLimits limits;
    limits.max_frame_header_bytes = 16;
    const std::string long_line = "YUV4MPEG2 W8 H6\nFRAME " + std::string(30, 'x') + "\n";
    EXPECT_NE(error_of([&] { count_frames(long_line, limits); }, ErrorKind::Format)
                  .find("longer than 16 bytes"),
              std::string::npos);
}

TEST(Y4mStream, LimitsAreCheckedBeforeAnyFrameIsRead) {
    Y4mLimits limits;
    limits.max_width = 64;
    limits.max_height = 32;
    limits.max_frame_bytes = 1000;
    EXPECT_EQ(count_frames(make_stream("YUV4MPEG2 W16 H16 C444\n", 1), limits), 1);  // 768 bytes
    error_of([&] { count_frames("YUV4MPEG2 W65 H8\n", limits); }, ErrorKind::InvalidArgument);
    error_of([&] { count_frames("YUV4MPEG2 W8 H33\n", limits); }, ErrorKind::InvalidArgument);
    const std::string message = error_of([&] { count_frames("YUV4MPEG2 W32 H32 C444\n", limits); },
                                         ErrorKind::InvalidArgument);
    EXPECT_NE(message.find("3072 bytes, over the limit of 1000"), std::string::npos) << message;
}

TEST(Y4mStream, AClaimedSizeAllocatesOnlyAsItsBytesArrive) {
    // 8000x8000 4:4:4 is 192 MB, within the default limit; only 100 bytes follow.
    std::istringstream in("YUV4MPEG2 W8000 H8000 C444\nFRAME\n" + std::string(100, 'x'));
    Y4mReader reader(in);
    Y4mFrame frame;
    error_of([&] { reader.read_frame(frame); }, ErrorKind::Format);
    EXPECT_LE(frame.planes.capacity(), size_t{1} << 20);
}

TEST(Y4mWriter, RejectsAFrameOfTheWrongSizeOrBadParameters) {
    const Y4mHeader header = parse_y4m_header("YUV4MPEG2 W4 H4");
    std::ostringstream out;
    Y4mWriter writer(out, header);
    Y4mFrame frame;
    frame.planes.resize(23);
    EXPECT_NE(error_of([&] { writer.write_frame(frame); }, ErrorKind::InvalidArgument)
                  .find("holds 23 bytes; the stream's frames are 24"),
              std::string::npos);
    frame.planes.resize(24);
    frame.parameters = " a\nb";
    error_of([&] { writer.write_frame(frame); }, ErrorKind::InvalidArgument);
    frame.parameters = " Ip";
    writer.write_frame(frame);
    EXPECT_EQ(out.str(), "YUV4MPEG2 W4 H4\nFRAME Ip\n" + std::string(24, '\0'));
}

TEST(Y4mWriter, AFailedOutputIsAnIoError) {
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    error_of([&] { Y4mWriter(out, parse_y4m_header("YUV4MPEG2 W4 H4")); }, ErrorKind::Io);
}

}  // namespace
}  // namespace swaprun::pipeline
