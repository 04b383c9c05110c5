// A read-only memory mapping of a whole file, and reads of the same file by offset.
// The only platform-specific part of reading: another platform provides its own
// file_mapping_<platform>.cpp.
//
// The mapping is private and read-only; like any mapping it assumes the file is not
// truncated by someone else while mapped (replacing it by rename, as the writer
// does, is safe: the old inode stays mapped, and read_at() reads that inode too).
//
// Pages are mapped as they are first touched. Reading a large part of the file once
// (a checksum, a copy into another layout) is faster with read_at() into a reused
// buffer: where a hypervisor shadows the guest's page tables (common for cloud
// machines), the first touch of each 4 KiB page of a new mapping costs microseconds,
// while the system's own copy from its file cache does not.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace swaprun::platform {

class FileMapping {
  public:
    // Maps `path` read-only and keeps it open for read_at(). Throws swaprun::Error
    // (Io) naming the path when the file cannot be opened, is not a regular file, or
    // cannot be mapped. An empty file gives an empty mapping (data() == nullptr,
    // size() == 0).
    static FileMapping open(const std::string& path);

    FileMapping() = default;
    FileMapping(FileMapping&& other) noexcept;
    FileMapping& operator=(FileMapping&& other) noexcept;
    FileMapping(const FileMapping&) = delete;
    FileMapping& operator=(const FileMapping&) = delete;
    ~FileMapping();

    // Whether this holds an open file (a default-constructed or moved-from mapping
    // does not).
    bool is_open() const { return descriptor_ >= 0; }
    // Page-aligned (so 64-byte aligned) start of the file's bytes.
    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }

    // Copies the file's bytes [offset, offset + into.size()) into `into`, without
    // touching the mapping. Throws swaprun::Error (Io) naming the path when the range
    // is outside the mapped size or the read fails or comes up short (the file was
    // truncated meanwhile).
    void read_at(uint64_t offset, std::span<uint8_t> into) const;

    // Tells the system that the whole pages inside [begin, begin + bytes) are not
    // needed for now, so they stop counting towards the process's resident memory.
    // The bytes stay readable: a later read brings them back from the file (the
    // mapping is read-only, so no page was ever modified). Advice only: a range
    // outside the mapping, or a system that declines, changes nothing.
    void discard_pages(const uint8_t* begin, uint64_t bytes) const noexcept;

  private:
    FileMapping(int descriptor, const uint8_t* data, uint64_t size, std::string path)
        : descriptor_(descriptor), data_(data), size_(size), path_(std::move(path)) {}
    void release() noexcept;

    int descriptor_ = -1;
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
    std::string path_;
};

}  // namespace swaprun::platform
