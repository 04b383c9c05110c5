#include "pipeline/stream_read.h"

#include <algorithm>

namespace swaprun::pipeline {

namespace {

// Frame data arrives in pieces of at most this many bytes, so that the buffer grows only
// as fast as bytes really come (a header's claim alone allocates nothing).
constexpr size_t kReadChunk = size_t{1} << 20;

}  // namespace

LineResult read_line(std::istream& in, size_t max_bytes, std::string& line) {
    line.clear();
    std::streambuf* buffer = in.rdbuf();
    while (true) {
        const auto c = buffer->sbumpc();
        if (c == std::char_traits<char>::eof()) {
            in.setstate(std::ios::eofbit);
            return line.empty() ? LineResult::Empty : LineResult::Truncated;
        }
        if (c == '\n') return LineResult::Complete;
        if (line.size() == max_bytes) return LineResult::TooLong;
        line.push_back(static_cast<char>(c));
    }
}

size_t read_exactly(std::istream& in, uint64_t count, std::vector<uint8_t>& out) {
    std::streambuf* buffer = in.rdbuf();
    if (out.capacity() >= count) {
        out.resize(count);
        const auto got =
            buffer->sgetn(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(count));
        out.resize(static_cast<size_t>(std::max<std::streamsize>(got, 0)));
        return out.size();
    }
    out.clear();
    while (out.size() < count) {
        const size_t have = out.size();
        const size_t want = static_cast<size_t>(std::min<uint64_t>(count - have, kReadChunk));
        out.resize(have + want);
        const auto got = buffer->sgetn(reinterpret_cast<char*>(out.data() + have),
                                       static_cast<std::streamsize>(want));
        const size_t got_bytes = static_cast<size_t>(std::max<std::streamsize>(got, 0));
        if (got_bytes < want) {
            out.resize(have + got_bytes);
            return out.size();
        }
    }
    return out.size();
}

}  // namespace swaprun::pipeline
