#include "format/file_pass.h"

#include <algorithm>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::format {

void read_file_in_order(const platform::FileMapping& file, std::span<const ByteRange> wanted,
                        std::span<uint8_t> buffer, const FileBytesSink& hash,
                        const RangeSink& use) {
    for (size_t i = 0; i < wanted.size(); ++i) {
        if (wanted[i].bytes > buffer.size()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("read_file_in_order: range ", i, " has ", wanted[i].bytes,
                                " bytes, more than the buffer's ", buffer.size()));
        }
        if (i > 0 && wanted[i].offset < wanted[i - 1].offset) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("read_file_in_order: range ", i, " is out of offset order"));
        }
    }
    if (hash && buffer.empty() && file.size() > 0) {
        throw Error(ErrorKind::InvalidArgument, "read_file_in_order: no buffer to hash through");
    }
    uint64_t hashed = 0;  // every byte before this went to `hash`
    auto hash_gap_to = [&](uint64_t end) {
        while (hashed < end) {
            const auto piece =
                buffer.first(static_cast<size_t>(std::min<uint64_t>(buffer.size(), end - hashed)));
            file.read_at(hashed, piece);
            hash(hashed, piece);
            hashed += piece.size();
        }
    };
    for (size_t i = 0; i < wanted.size(); ++i) {
        const ByteRange& range = wanted[i];
        if (hash) hash_gap_to(range.offset);
        const auto bytes = buffer.first(static_cast<size_t>(range.bytes));
        file.read_at(range.offset, bytes);
        // An overlapping range's bytes before `hashed` went to the hash already.
        const uint64_t end = range.offset + range.bytes;
        if (hash && end > hashed) {
            hash(hashed, bytes.subspan(static_cast<size_t>(hashed - range.offset)));
            hashed = end;
        }
        use(i, bytes);
    }
    if (hash) hash_gap_to(file.size());
}

}  // namespace swaprun::format
