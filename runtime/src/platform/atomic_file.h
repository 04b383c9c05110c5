// Writing a file so that readers see either the old file or the complete new one:
// bytes go to a temporary file in the target's directory (same file system, so the
// final rename is atomic), which is flushed to disk and then renamed over the target.
// If commit() is never reached (an error, an exception), the temporary file is
// removed and the target is untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace swaprun::platform {

class AtomicFile {
  public:
    // Creates the temporary file. Throws swaprun::Error (Io) naming `path`.
    explicit AtomicFile(std::string path);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    // Appends bytes at the current end.
    void write(const void* data, size_t size);
    // Appends `size` zero bytes.
    void write_zeros(uint64_t size);
    // Overwrites bytes already written (e.g. a checksum computed after the body).
    void write_at(uint64_t offset, const void* data, size_t size);
    uint64_t size() const { return written_; }

    // Flushes the data to disk and renames the temporary file onto the target.
    void commit();

    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail(const std::string& what, int error_number) const;

    std::string path_;
    std::string temp_path_;
    int fd_ = -1;
    uint64_t written_ = 0;
    bool committed_ = false;
};

}  // namespace swaprun::platform
