// POSIX implementation of AtomicFile: mkstemp beside the target, fsync, rename,
// then fsync of the directory so that the rename itself survives a crash.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "platform/atomic_file.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::platform {
namespace {

std::string directory_of(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

bool write_fully(int fd, const uint8_t* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) throw Error(ErrorKind::InvalidArgument, "empty output path");
    temp_path_ = path_ + ".tmp.XXXXXX";
    std::vector<char> name(temp_path_.begin(), temp_path_.end());
    name.push_back('\0');
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) fail("cannot create a temporary file beside it", errno);
    temp_path_.assign(name.data());
    // mkstemp creates 0600; the result is an ordinary data file.
    ::fchmod(fd_, 0644);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::fail(const std::string& what, int error_number) const {
    throw Error(ErrorKind::Io, str_cat(path_, ": ", what, ": ", std::strerror(error_number)));
}

void AtomicFile::write(const void* data, size_t size) {
    if (!write_fully(fd_, static_cast<const uint8_t*>(data), size)) fail("cannot write", errno);
    written_ += size;
}

void AtomicFile::write_zeros(uint64_t size) {
    static constexpr std::array<uint8_t, 4096> kZeros{};
    while (size > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(size, kZeros.size()));
        write(kZeros.data(), n);
        size -= n;
    }
}

void AtomicFile::write_at(uint64_t offset, const void* data, size_t size) {
    auto p = static_cast<const uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::pwrite(fd_, p, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", errno);
        }
        p += n;
        offset += static_cast<uint64_t>(n);
        size -= static_cast<size_t>(n);
    }
}

void AtomicFile::commit() {
    if (committed_) return;
    if (::fsync(fd_) != 0) fail("cannot flush to disk", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close", errno);
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) fail("cannot rename into place", errno);
    committed_ = true;
    // Best effort: the data is already in place; a directory that cannot be opened
    // or synced (some file systems refuse) does not make the write a failure.
    const int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace swaprun::platform
