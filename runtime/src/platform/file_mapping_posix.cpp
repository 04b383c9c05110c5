// POSIX implementation of FileMapping (mmap).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "platform/file_mapping.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::platform {
namespace {

// Closes a descriptor on every path out of open() until the mapping takes it.
class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int take() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

// Not MAP_POPULATE: the bulk reads at load go through read_at(), so the mapping is
// touched only where a tensor is used in place, and its resident size stays that.
constexpr int kMapFlags = MAP_PRIVATE;

[[noreturn]] void fail(const std::string& path, const char* what, int error_number) {
    throw Error(ErrorKind::Io, str_cat(path, ": ", what, ": ", std::strerror(error_number)));
}

}  // namespace

FileMapping FileMapping::open(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is rejected below as
    // not a regular file. It has no effect on regular files.
    Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) fail(path, "cannot open", errno);

    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) fail(path, "cannot stat", errno);
    if (!S_ISREG(info.st_mode)) {
        throw Error(ErrorKind::Io, str_cat(path, ": not a regular file"));
    }
    const auto size = static_cast<uint64_t>(info.st_size);
    if (size == 0) return FileMapping(fd.take(), nullptr, 0, path);
    if (size > SIZE_MAX) throw Error(ErrorKind::Io, str_cat(path, ": too large to map"));

    void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, kMapFlags, fd.get(), 0);
    if (p == MAP_FAILED) fail(path, "cannot map", errno);
    return FileMapping(fd.take(), static_cast<const uint8_t*>(p), size, path);
}

void FileMapping::read_at(uint64_t offset, std::span<uint8_t> into) const {
    if (offset > size_ || into.size() > size_ - offset) {
        throw Error(ErrorKind::Io, str_cat(path_, ": read of ", into.size(), " bytes at offset ",
                                           offset, " is outside the file's ", size_, " bytes"));
    }
    size_t done = 0;
    while (done < into.size()) {
        const ssize_t n = ::pread(descriptor_, into.data() + done, into.size() - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path_, "cannot read", errno);
        if (n == 0) {
            throw Error(ErrorKind::Io, str_cat(path_, ": the file ended at offset ", offset + done,
                                               " while being read (truncated meanwhile?)"));
        }
        done += static_cast<size_t>(n);
    }
}

FileMapping::FileMapping(FileMapping&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      path_(std::move(other.path_)) {}

FileMapping& FileMapping::operator=(FileMapping&& other) noexcept {
    if (this != &other) {
        release();
        descriptor_ = std::exchange(other.descriptor_, -1);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        path_ = std::move(other.path_);
    }
    return *this;
}

FileMapping::~FileMapping() { release(); }

void FileMapping::discard_pages(const uint8_t* begin, uint64_t bytes) const noexcept {
    if (data_ == nullptr || begin < data_ || bytes > size_ ||
        static_cast<uint64_t>(begin - data_) > size_ - bytes) {
        return;
    }
    const long page_size = ::sysconf(_SC_PAGESIZE);
    if (page_size <= 0) return;
    const auto page = static_cast<uintptr_t>(page_size);
    // Only pages wholly inside the range: a neighbour's bytes may share the end pages.
    const uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
    const uintptr_t last = (reinterpret_cast<uintptr_t>(begin) + bytes) / page * page;
    if (last <= first) return;
    // MADV_DONTNEED rather than posix_madvise: glibc makes POSIX_MADV_DONTNEED a no-op.
    ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void FileMapping::release() noexcept {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), static_cast<size_t>(size_));
    if (descriptor_ >= 0) ::close(descriptor_);
    descriptor_ = -1;
    data_ = nullptr;
    size_ = 0;
}

}  // namespace swaprun::platform
