#include "pipeline/image_io.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "platform/atomic_file.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

std::vector<unsigned char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::Io, path + ": cannot open: " + std::strerror(errno));
    }
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw Error(ErrorKind::Io, path + ": read error");
    }
    if (bytes.size() > static_cast<size_t>(INT_MAX)) {
        // stb_image takes the length as an int.
        throw Error(ErrorKind::InvalidArgument, path + ": file too large to decode (" +
                                                    std::to_string(bytes.size()) + " bytes)");
    }
    return bytes;
}

struct StbFree {
    void operator()(unsigned char* pixels) const { stbi_image_free(pixels); }
};

void check_writable(const std::string& path, const Image& image) {
    if (image.empty()) {
        throw Error(ErrorKind::InvalidArgument, path + ": cannot write an empty image");
    }
    if (image.stride() > static_cast<size_t>(INT_MAX)) {
        throw Error(ErrorKind::InvalidArgument, path + ": image too wide to write");
    }
}

// stb_image_write hands out the encoded bytes in pieces; they are collected in memory and
// then written in one go, so an encoder failure never touches the file system.
void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* bytes = static_cast<const unsigned char*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

void write_atomically(const std::string& path, const std::vector<unsigned char>& bytes) {
    platform::AtomicFile file(path);
    file.write(bytes.data(), bytes.size());
    file.commit();
}

// stb_image (Debian's 2022 snapshot) writes past the end of its Huffman table when a
// JPEG DHT segment declares more than 256 codes in one table (found by fuzz_image).
// Such files are refused here, before stb sees them; every other structural error is
// left to stb. Walks the markers, skipping entropy-coded data after each scan, since
// progressive JPEGs define tables between scans.
void check_jpeg_huffman_tables(std::span<const uint8_t> b, const std::string& path) {
    // stb takes any run of 0xFF fill bytes before the start-of-image marker.
    size_t p = 0;
    while (p < b.size() && b[p] == 0xFF) ++p;
    if (p == 0 || p >= b.size() || b[p] != 0xD8) return;  // not a JPEG
    ++p;
    while (p + 1 < b.size()) {
        if (b[p] != 0xFF) {
            ++p;  // entropy-coded data (or garbage stb will reject)
            continue;
        }
        const uint8_t marker = b[p + 1];
        if (marker == 0x00 || marker == 0xFF || (marker >= 0xD0 && marker <= 0xD7) ||
            marker == 0xD8 || marker == 0x01) {
            p += marker == 0xFF ? 1 : 2;  // stuffed byte, fill byte, markers without length
            continue;
        }
        if (marker == 0xD9 || p + 4 > b.size()) return;  // end of image, or truncated
        const size_t length = (size_t{b[p + 2]} << 8) | b[p + 3];
        if (marker == 0xC4) {
            // Every table stb will read: it goes on while the segment's declared length
            // lasts, 17 bytes plus the codes per table, even when a table's counts run
            // past the segment's end (a length too short for its tables) or the file's
            // (stb reads zeros there).
            int64_t remaining = static_cast<int64_t>(length) - 2;
            size_t q = p + 4;
            while (remaining > 0 && q < b.size()) {
                size_t codes = 0;
                for (size_t i = 1; i <= 16 && q + i < b.size(); ++i) codes += b[q + i];
                if (codes > 256) {
                    throw Error(ErrorKind::Format, path + ": offset " + std::to_string(q) +
                                                       ": JPEG Huffman table declares " +
                                                       std::to_string(codes) +
                                                       " codes (at most 256)");
                }
                remaining -= static_cast<int64_t>(17 + codes);
                q += 17 + codes;
            }
        }
        p = std::max(p + 2, p + 2 + length);
    }
}

// stb_image grows its buffer for a PNG's IDAT data to the size a chunk declares before
// reading it (doubling up to 2 GiB for a lying length: found by fuzz_image). Chunks that
// declare more bytes than the file holds after them are refused here, so stb never
// allocates more than twice the file's size for them.
void check_png_chunks(std::span<const uint8_t> b, const std::string& path) {
    static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (b.size() < 8 || !std::equal(kSignature, kSignature + 8, b.begin())) return;  // not a PNG
    size_t p = 8;
    while (p + 8 <= b.size()) {
        const uint64_t length = (uint64_t{b[p]} << 24) | (uint64_t{b[p + 1]} << 16) |
                                (uint64_t{b[p + 2]} << 8) | b[p + 3];
        const uint64_t after = b.size() - (p + 8);  // the chunk's data and CRC must fit
        if (length + 4 > after) {
            throw Error(ErrorKind::Format,
                        str_cat(path, ": offset ", p, ": PNG chunk declares ", length,
                                " bytes, but the file has ", after, " after its header"));
        }
        if (std::equal(b.begin() + static_cast<std::ptrdiff_t>(p + 4),
                       b.begin() + static_cast<std::ptrdiff_t>(p + 8), "IEND")) {
            return;
        }
        p += 12 + length;
    }
}

}  // namespace

Image load_image(const std::string& path, const ImageLimits& limits) {
    const std::vector<unsigned char> bytes = read_file(path);
    return decode_image(bytes, path, limits);
}

Image decode_image(std::span<const uint8_t> bytes, const std::string& path,
                   const ImageLimits& limits) {
    if (bytes.size() > static_cast<size_t>(INT_MAX)) {
        // stb_image takes the length as an int.
        throw Error(ErrorKind::InvalidArgument,
                    path + ": too large to decode (" + std::to_string(bytes.size()) + " bytes)");
    }
    const int length = static_cast<int>(bytes.size());
    check_jpeg_huffman_tables(bytes, path);
    check_png_chunks(bytes, path);

    int width = 0;
    int height = 0;
    int channels = 0;
    if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels)) {
        throw Error(ErrorKind::Format,
                    path + ": not a readable image (" + stbi_failure_reason() + ")");
    }
    if (width <= 0 || height <= 0) {
        throw Error(ErrorKind::Format, path + ": image header gives an empty size");
    }
    const uint64_t pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
    if (pixels > limits.max_pixels) {
        throw Error(ErrorKind::InvalidArgument,
                    path + ": image is " + std::to_string(width) + "x" + std::to_string(height) +
                        " (" + std::to_string(pixels) + " pixels), above the limit of " +
                        std::to_string(limits.max_pixels) + " pixels");
    }

    int decoded_width = 0;
    int decoded_height = 0;
    const std::unique_ptr<unsigned char, StbFree> decoded(
        stbi_load_from_memory(bytes.data(), length, &decoded_width, &decoded_height, &channels, 3));
    if (!decoded) {
        throw Error(ErrorKind::Format,
                    path + ": cannot decode image (" + stbi_failure_reason() + ")");
    }
    // The header was read twice; a decoder that disagreed with itself would break the
    // size check above, so it is not trusted blindly.
    if (decoded_width != width || decoded_height != height) {
        throw Error(ErrorKind::Format, path + ": decoded size differs from the header's");
    }
    Image image(width, height);
    std::memcpy(image.data(), decoded.get(), image.size_bytes());
    return image;
}

void save_png(const std::string& path, const Image& image) {
    check_writable(path, image);
    std::vector<unsigned char> bytes;
    if (!stbi_write_png_to_func(append_bytes, &bytes, image.width(), image.height(), 3,
                                image.data(), static_cast<int>(image.stride()))) {
        throw Error(ErrorKind::Io, path + ": PNG encoding failed");
    }
    write_atomically(path, bytes);
}

void save_jpeg(const std::string& path, const Image& image, int quality) {
    check_writable(path, image);
    if (quality < 1 || quality > 100) {
        throw Error(ErrorKind::InvalidArgument,
                    path + ": JPEG quality must be 1..100, got " + std::to_string(quality));
    }
    std::vector<unsigned char> bytes;
    if (!stbi_write_jpg_to_func(append_bytes, &bytes, image.width(), image.height(), 3,
                                image.data(), quality)) {
        throw Error(ErrorKind::Io, path + ": JPEG encoding failed");
    }
    write_atomically(path, bytes);
}

}  // namespace swaprun::pipeline
