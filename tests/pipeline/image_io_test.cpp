#include "pipeline/image_io.h"

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

namespace fs = std::filesystem;

class ImageIoTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("swaprun_pipeline_io_" + std::to_string(getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    void write_bytes(const std::string& file, const std::vector<unsigned char>& bytes) const {
        std::ofstream out(file, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    }

    size_t file_count() const {
        return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
    }

    fs::path dir_;
};

Image test_pattern(int width, int height) {
    Image image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            uint8_t* p = image.pixel(x, y);
            p[0] = static_cast<uint8_t>(x * 7 + y);
            p[1] = static_cast<uint8_t>(y * 5);
            p[2] = static_cast<uint8_t>(128 + x - y);
        }
    }
    return image;
}

void append(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* bytes = static_cast<const unsigned char*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

// Expects `fn` to throw swaprun::Error of `kind` whose message contains `text`.
template <typename Fn>
void expect_error(Fn fn, ErrorKind kind, const std::string& text) {
    try {
        fn();
        FAIL() << "no error; expected one mentioning " << text;
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
}

TEST_F(ImageIoTest, PngRoundTripIsExact) {
    const Image image = test_pattern(37, 23);
    save_png(path("a.png"), image);
    const Image back = load_image(path("a.png"));
    ASSERT_EQ(back.width(), 37);
    ASSERT_EQ(back.height(), 23);
    EXPECT_EQ(std::vector<uint8_t>(back.data(), back.data() + back.size_bytes()),
              std::vector<uint8_t>(image.data(), image.data() + image.size_bytes()));
    EXPECT_EQ(file_count(), 1u);  // no temporary left behind
}

TEST_F(ImageIoTest, JpegRoundTripIsClose) {
    Image image(32, 16);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 32; ++x) {
            uint8_t* p = image.pixel(x, y);
            p[0] = static_cast<uint8_t>(60 + x * 2);
            p[1] = static_cast<uint8_t>(100 + y * 3);
            p[2] = 150;
        }
    }
    save_jpeg(path("a.jpg"), image, 100);
    const Image back = load_image(path("a.jpg"));
    ASSERT_EQ(back.width(), 32);
    ASSERT_EQ(back.height(), 16);
    for (size_t i = 0; i < image.size_bytes(); ++i) {
        ASSERT_NEAR(back.data()[i], image.data()[i], 6) << "byte " << i;
    }
}

TEST_F(ImageIoTest, ReadsBmpAndTgaAndExpandsGrey) {
    const Image image = test_pattern(9, 5);
    std::vector<unsigned char> bmp;
    ASSERT_TRUE(stbi_write_bmp_to_func(append, &bmp, 9, 5, 3, image.data()));
    write_bytes(path("a.bmp"), bmp);
    std::vector<unsigned char> tga;
    ASSERT_TRUE(stbi_write_tga_to_func(append, &tga, 9, 5, 3, image.data()));
    write_bytes(path("a.tga"), tga);
    for (const char* name : {"a.bmp", "a.tga"}) {
        const Image back = load_image(path(name));
        ASSERT_EQ(back.width(), 9) << name;
        EXPECT_EQ(std::vector<uint8_t>(back.data(), back.data() + back.size_bytes()),
                  std::vector<uint8_t>(image.data(), image.data() + image.size_bytes()))
            << name;
    }
    const std::vector<unsigned char> grey = {0, 100, 255, 7};
    std::vector<unsigned char> png;
    ASSERT_TRUE(stbi_write_png_to_func(append, &png, 2, 2, 1, grey.data(), 2));
    write_bytes(path("grey.png"), png);
    const Image back = load_image(path("grey.png"));
    for (int i = 0; i < 4; ++i) {
        for (int c = 0; c < 3; ++c) EXPECT_EQ(back.data()[i * 3 + c], grey[i]);
    }
}

TEST_F(ImageIoTest, MissingFileNamesThePath) {
    expect_error([&] { load_image(path("missing.png")); }, ErrorKind::Io, "missing.png");
}

TEST_F(ImageIoTest, NonImageAndTruncatedFilesNameThePath) {
    write_bytes(path("text.png"), {'h', 'e', 'l', 'l', 'o'});
    expect_error([&] { load_image(path("text.png")); }, ErrorKind::Format, "text.png");
    write_bytes(path("empty.png"), {});
    expect_error([&] { load_image(path("empty.png")); }, ErrorKind::Format, "empty.png");

    save_png(path("whole.png"), test_pattern(64, 64));
    std::ifstream in(path("whole.png"), std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
    bytes.resize(bytes.size() / 2);
    write_bytes(path("half.png"), bytes);
    expect_error([&] { load_image(path("half.png")); }, ErrorKind::Format, "half.png");
}

TEST_F(ImageIoTest, PixelLimitIsCheckedFromTheHeader) {
    save_png(path("a.png"), test_pattern(100, 100));
    expect_error([&] { load_image(path("a.png"), ImageLimits{9999}); }, ErrorKind::InvalidArgument,
                 "above the limit");
    EXPECT_EQ(load_image(path("a.png"), ImageLimits{10000}).width(), 100);

    // A BMP header claiming 30000 x 30000 pixels with no pixel data: refused for its
    // size before the decoder would allocate 2.7 GB.
    std::vector<unsigned char> bmp(54, 0);
    auto put32 = [&](size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) bmp[at + i] = static_cast<unsigned char>(v >> (8 * i));
    };
    bmp[0] = 'B';
    bmp[1] = 'M';
    put32(2, 54);
    put32(10, 54);
    put32(14, 40);
    put32(18, 30000);
    put32(22, 30000);
    bmp[26] = 1;
    bmp[28] = 24;
    write_bytes(path("huge.bmp"), bmp);
    expect_error([&] { load_image(path("huge.bmp")); }, ErrorKind::InvalidArgument, "30000x30000");
}

// stb_image 2.27 overflows its Huffman tables when a JPEG table declares more than 256
// codes; it reads a DHT segment's tables for as long as the segment's declared length
// lasts, so a table whose counts run past a too-short segment must be caught too.
TEST_F(ImageIoTest, JpegHuffmanTablesOfMoreThan256CodesAreRefused) {
    std::vector<unsigned char> jpeg = {0xFF, 0xD8, 0xFF, 0xC4};
    const auto dht = [&](unsigned length) {
        std::vector<unsigned char> b = jpeg;
        b.push_back(static_cast<unsigned char>(length >> 8));
        b.push_back(static_cast<unsigned char>(length & 0xFF));
        b.push_back(0x00);             // class 0, table 0
        b.insert(b.end(), 16, 0x20);   // 16 lengths of 32 codes: 512 in all
        b.insert(b.end(), 600, 0x00);  // the code values, and more
        return b;
    };
    write_bytes(path("long.jpg"), dht(2 + 17 + 512));  // the length covers the table
    expect_error([&] { load_image(path("long.jpg")); }, ErrorKind::Format, "512 codes");
    write_bytes(path("short.jpg"), dht(3));  // one byte of table inside the segment
    expect_error([&] { load_image(path("short.jpg")); }, ErrorKind::Format, "512 codes");
    // stb also takes 0xFF fill bytes before the start-of-image marker.
    jpeg = {0xFF, 0xFF, 0xFF, 0xD8, 0xFF, 0xC4};
    write_bytes(path("filled.jpg"), dht(2 + 17 + 512));
    expect_error([&] { load_image(path("filled.jpg")); }, ErrorKind::Format, "512 codes");
}

// stb_image sizes its PNG data buffer from a chunk's declared length before reading
// it: a chunk longer than the rest of the file is refused first.
TEST_F(ImageIoTest, PngChunkLongerThanTheFileIsRefused) {
    std::vector<unsigned char> png;
    stbi_write_png_to_func(append, &png, 12, 10, 3, std::vector<unsigned char>(360, 9).data(), 36);
    ASSERT_GT(png.size(), 33u);
    // The IDAT chunk follows the 8-byte signature and the 25-byte IHDR chunk.
    png[33] = 0x7F;  // its length, big-endian: now over 2 GB
    write_bytes(path("lying.png"), png);
    expect_error([&] { load_image(path("lying.png")); }, ErrorKind::Format, "PNG chunk declares");
    // Cut inside the IDAT data: the same refusal.
    std::vector<unsigned char> cut;
    stbi_write_png_to_func(append, &cut, 12, 10, 3, std::vector<unsigned char>(360, 9).data(), 36);
    cut.resize(cut.size() - 20);
    write_bytes(path("cut.png"), cut);
    expect_error([&] { load_image(path("cut.png")); }, ErrorKind::Format, "PNG chunk declares");
}

TEST_F(ImageIoTest, FailedWriteLeavesNothing) {
    expect_error([&] { save_png(path("no_dir/a.png"), test_pattern(4, 4)); }, ErrorKind::Io,
                 "no_dir/a.png");
    expect_error([&] { save_png(path("e.png"), Image()); }, ErrorKind::InvalidArgument, "e.png");
    expect_error([&] { save_jpeg(path("q.jpg"), test_pattern(4, 4), 0); },
                 ErrorKind::InvalidArgument, "quality");
    EXPECT_EQ(file_count(), 0u);
}

TEST_F(ImageIoTest, WriteReplacesAnExistingFile) {
    save_png(path("a.png"), test_pattern(4, 4));
    save_png(path("a.png"), test_pattern(8, 2));
    EXPECT_EQ(load_image(path("a.png")).width(), 8);
    EXPECT_EQ(file_count(), 1u);
}

}  // namespace
}  // namespace swaprun::pipeline
