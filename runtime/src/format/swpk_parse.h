// Internal to the reader: bounded, validating access to the bytes of a .swpk file.
// Every read is checked against the end of its section before it happens, and every
// failure becomes a Format error naming the file and the byte offset.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "format/byte_order.h"
#include "format/checksum64.h"
#include "format/model_description.h"
#include "format/swpk_io.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::format::detail {

struct SectionRange {
    uint64_t offset = 0;
    uint64_t size = 0;
    bool present = false;
    uint64_t end() const { return offset + size; }
};

struct SectionMap {
    SectionRange strings, tensors, graph, metadata, data;
};

class FileBytes {
  public:
    FileBytes(const uint8_t* data, uint64_t size, const std::string& label)
        : data_(data), size_(size), label_(label) {}

    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }
    const std::string& label() const { return label_; }

    template <class... Args>
    [[noreturn]] void fail_at(uint64_t offset, const Args&... what) const {
        throw Error(ErrorKind::Format, str_cat(label_, ": offset ", offset, ": ", what...));
    }
    template <class... Args>
    [[noreturn]] void fail(const Args&... what) const {
        throw Error(ErrorKind::Format, str_cat(label_, ": ", what...));
    }

  private:
    const uint8_t* data_;
    uint64_t size_;
    const std::string& label_;
};

// Sequential reads inside one section.
class Cursor {
  public:
    Cursor(const FileBytes& file, const SectionRange& range, const char* section)
        : file_(file), pos_(range.offset), end_(range.end()), section_(section) {}

    uint64_t offset() const { return pos_; }
    uint64_t remaining() const { return end_ - pos_; }

    template <class T>
    T read(const char* what) {
        need(sizeof(T), what);
        T v = load<T>(file_.data() + pos_);
        pos_ += sizeof(T);
        return v;
    }

    // A count of records of at least `record_bytes` each that must still fit in the
    // section: bounds every allocation by the section's real size.
    uint32_t count(const char* what, uint64_t record_bytes) {
        const uint64_t at = pos_;
        const uint32_t n = read<uint32_t>(what);
        if (record_bytes > 0 && n > remaining() / record_bytes) {
            file_.fail_at(at, what, " is ", n, " but only ", remaining(), " bytes remain in the ",
                          section_, " section");
        }
        return n;
    }

    void skip(uint64_t bytes, const char* what) {
        need(bytes, what);
        pos_ += bytes;
    }

    void need(uint64_t bytes, const char* what) const {
        if (bytes > remaining()) {
            file_.fail_at(pos_, "the ", section_, " section ends inside ", what);
        }
    }

    void expect_end() const {
        if (pos_ != end_) {
            file_.fail_at(pos_, remaining(), " unexpected bytes at the end of the ", section_,
                          " section");
        }
    }

  private:
    const FileBytes& file_;
    uint64_t pos_;
    uint64_t end_;
    const char* section_;
};

// Resolves string references into the Strings section.
class StringSection {
  public:
    StringSection(const FileBytes& file, const SectionRange& range) : file_(file), range_(range) {}

    // The string at `offset`, or nullopt when it is outside the section or has no
    // terminating NUL before the section's end.
    std::optional<std::string> get(uint32_t offset) const;

  private:
    const FileBytes& file_;
    SectionRange range_;
};

// Header and section table (swpk_header.cpp): everything up to the sections' contents.
struct Header {
    uint32_t version = 0;
    SectionMap sections;
};
// With options.verify_checksum, verifies the checksum (over file.data()) after
// check_header and before the section table.
Header parse_header(const FileBytes& file, const ReadOptions& options);
// Magic, version and header fields (the size that the header gives the file among
// them): the checks that come before the checksum.
void check_header(const FileBytes& file);
// Hashes `bytes`, found at `offset` in the file, as the writer hashed them: the
// checksum field's bytes count as zero. Pieces passed in file order give the file's
// checksum.
void hash_as_written(Checksum64& hash, uint64_t offset, std::span<const uint8_t> bytes);
// Format error "checksum mismatch" unless `computed` is the checksum the header holds
// (whose 8 bytes must be in file.data()).
void check_checksum(const FileBytes& file, uint64_t computed);

// Section contents (swpk_records.cpp).
void parse_tensors(const FileBytes& file, const SectionMap& sections, const StringSection& strings,
                   ModelDescription& model);
void parse_graph(const FileBytes& file, const SectionMap& sections, const StringSection& strings,
                 ModelDescription& model);
void parse_metadata(const FileBytes& file, const SectionMap& sections, const StringSection& strings,
                    ModelDescription& model);

// All of the above: the validated description of a file held in memory.
ModelDescription parse_swpk(const FileBytes& file, const ReadOptions& options, uint32_t* version);

}  // namespace swaprun::format::detail
