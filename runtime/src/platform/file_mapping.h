// A read-only memory mapping of a whole file. The only platform-specific part of
// reading: another platform provides its own file_mapping_<platform>.cpp.
//
// The mapping is private and read-only; like any mapping it assumes the file is not
// truncated by someone else while mapped (replacing it by rename, as the writer
// does, is safe: the old inode stays mapped).
#pragma once

#include <cstdint>
#include <string>

namespace swaprun::platform {

class FileMapping {
  public:
    // Maps `path` read-only. Throws swaprun::Error (Io) naming the path when the file
    // cannot be opened, is not a regular file, or cannot be mapped. An empty file
    // gives an empty mapping (data() == nullptr, size() == 0).
    static FileMapping open(const std::string& path);

    FileMapping() = default;
    FileMapping(FileMapping&& other) noexcept;
    FileMapping& operator=(FileMapping&& other) noexcept;
    FileMapping(const FileMapping&) = delete;
    FileMapping& operator=(const FileMapping&) = delete;
    ~FileMapping();

    // Page-aligned (so 64-byte aligned) start of the file's bytes.
    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }

    // Tells the system that the whole pages inside [begin, begin + bytes) are not
    // needed for now, so they stop counting towards the process's resident memory.
    // The bytes stay readable: a later read brings them back from the file (the
    // mapping is read-only, so no page was ever modified). Advice only: a range
    // outside the mapping, or a system that declines, changes nothing.
    void discard_pages(const uint8_t* begin, uint64_t bytes) const noexcept;

  private:
    FileMapping(const uint8_t* data, uint64_t size) : data_(data), size_(size) {}
    void release() noexcept;

    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace swaprun::platform
