// SwpkFile: the validated, mapped model file.
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "format/file_pass.h"
#include "format/swpk_layout.h"
#include "format/swpk_parse.h"
#include "platform/file_mapping.h"
#include "platform/large_pages.h"

namespace swaprun::format {
namespace detail {

ModelDescription parse_swpk(const FileBytes& file, const ReadOptions& options, uint32_t* version) {
    const Header header = parse_header(file, options);
    const StringSection strings(file, header.sections.strings);
    ModelDescription model;
    parse_tensors(file, header.sections, strings, model);
    parse_graph(file, header.sections, strings, model);
    parse_metadata(file, header.sections, strings, model);
    *version = header.version;
    return model;
}

}  // namespace detail

namespace {

// The smallest buffer a pass over a mapped file reads through: two large pages, so
// that each read's system call is a small part of its cost.
constexpr size_t kReadBufferBytes = size_t{4} << 20;

class LoadedSwpkFile final : public SwpkFile {
  public:
    // The bytes are in `mapping`, in `copy`, or (both empty) the caller's.
    LoadedSwpkFile(platform::FileMapping mapping, AllocatedBlock copy, const uint8_t* data,
                   uint64_t size, std::string path, const ReadOptions& options)
        : mapping_(std::move(mapping)), copy_(std::move(copy)), path_(std::move(path)) {
        const detail::FileBytes bytes(data, size, path_);
        ReadOptions parse_options = options;
        if (mapping_.is_open() && options.verify_checksum) {
            // A mapped file is hashed by reading it, not through the mapping; the
            // header's checks come first, as parse_header orders them.
            detail::check_header(bytes);
            parse_options.verify_checksum = false;
            checksum_pending_ = true;
            if (!options.defer_checksum) verify_pending_checksum();
        }
        try {
            model_ = detail::parse_swpk(bytes, parse_options, &version_);
        } catch (const Error&) {
            verify_pending_checksum();
            throw;
        }
    }

    const ModelDescription& model() const override { return model_; }
    const std::string& path() const override { return path_; }
    uint32_t version() const override { return version_; }
    void discard_pages(std::span<const float> bytes) const noexcept override {
        mapping_.discard_pages(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size_bytes());
    }

    void read_constants(std::span<const uint32_t> tensors, const ConstantUse& use) const override {
        const auto& all = model_.tensors;
        std::vector<uint32_t> order(tensors.begin(), tensors.end());
        for (uint32_t t : order) {
            if (t >= all.size() ||
                (all[t].role != TensorRole::Constant && all[t].role != TensorRole::Extra)) {
                throw Error(ErrorKind::InvalidArgument,
                            str_cat(path_, ": read_constants: tensor ", t, " has no data"));
            }
        }
        // File order is address order: all the data lies in one block of bytes.
        auto address = [&](uint32_t t) { return reinterpret_cast<uintptr_t>(all[t].data.data()); };
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            return address(a) != address(b) ? address(a) < address(b) : a < b;
        });
        order.erase(std::unique(order.begin(), order.end()), order.end());
        if (!mapping_.is_open()) {
            for (uint32_t t : order) use(t, all[t].data);
            return;
        }
        std::vector<ByteRange> ranges;
        size_t largest = 0;
        for (uint32_t t : order) {
            // Constants and extras always point into the file (every dimension is at
            // least 1, so none is empty).
            const uint64_t at = address(t) - reinterpret_cast<uintptr_t>(mapping_.data());
            ranges.push_back({at, all[t].data.size_bytes()});
            largest = std::max(largest, all[t].data.size_bytes());
        }
        pass(ranges, largest, [&](size_t i, std::span<const uint8_t> bytes) {
            // The buffer is 64-byte aligned and each range a whole number of floats.
            use(order[i], {reinterpret_cast<const float*>(bytes.data()), bytes.size() / 4});
        });
    }

    void verify_pending_checksum() const override {
        if (checksum_pending_) pass({}, 0, [](size_t, std::span<const uint8_t>) {});
    }

  private:
    // One read of the mapped file through a buffer on large pages, hashing it on the
    // way while the checksum is pending.
    void pass(std::span<const ByteRange> ranges, size_t largest, const RangeSink& use) const {
        const AllocatedBlock buffer(std::max(largest, kReadBufferBytes),
                                    platform::large_page_allocator());
        const std::span<uint8_t> bytes(static_cast<uint8_t*>(buffer.data()), buffer.bytes());
        if (!checksum_pending_) {
            read_file_in_order(mapping_, ranges, bytes, nullptr, use);
            return;
        }
        Checksum64 hash;
        read_file_in_order(
            mapping_, ranges, bytes,
            [&](uint64_t at, std::span<const uint8_t> piece) {
                detail::hash_as_written(hash, at, piece);
            },
            use);
        checksum_pending_ = false;  // verified or failed: either way not pending
        detail::check_checksum(detail::FileBytes(mapping_.data(), mapping_.size(), path_),
                               hash.digest());
    }

    platform::FileMapping mapping_;  // open() only
    AllocatedBlock copy_;            // copy_from_memory() only
    std::string path_;
    ModelDescription model_;
    uint32_t version_ = 0;
    // A mapped file's checksum not yet verified (see ReadOptions::defer_checksum).
    mutable bool checksum_pending_ = false;
};

}  // namespace

std::unique_ptr<SwpkFile> SwpkFile::open(const std::string& path, const ReadOptions& options) {
    platform::FileMapping mapping = platform::FileMapping::open(path);
    const uint8_t* data = mapping.data();
    const uint64_t size = mapping.size();
    return std::make_unique<LoadedSwpkFile>(std::move(mapping), AllocatedBlock(), data, size, path,
                                            options);
}

std::unique_ptr<SwpkFile> SwpkFile::from_memory(const uint8_t* data, uint64_t size,
                                                const std::string& label,
                                                const ReadOptions& options) {
    if (data == nullptr && size > 0) {
        throw Error(ErrorKind::InvalidArgument, str_cat(label, ": null data"));
    }
    // Tensors are used in place as floats; their offsets are multiples of 64 only
    // relative to the start, so the start must be aligned too.
    if (reinterpret_cast<uintptr_t>(data) % kTensorAlignment != 0) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(label, ": the bytes must start on a 64-byte boundary"));
    }
    return std::make_unique<LoadedSwpkFile>(platform::FileMapping(), AllocatedBlock(), data, size,
                                            label, options);
}

std::unique_ptr<SwpkFile> SwpkFile::copy_from_memory(const uint8_t* data, uint64_t size,
                                                     const std::string& label,
                                                     const ReadOptions& options,
                                                     const Allocator& allocator) {
    if (data == nullptr && size > 0) {
        throw Error(ErrorKind::InvalidArgument, str_cat(label, ": null data"));
    }
    if (size > SIZE_MAX) {
        throw Error(ErrorKind::InvalidArgument, str_cat(label, ": ", size, " bytes is too large"));
    }
    AllocatedBlock copy(static_cast<size_t>(size), allocator);
    if (size > 0) std::memcpy(copy.data(), data, static_cast<size_t>(size));
    const auto* bytes = static_cast<const uint8_t*>(copy.data());
    return std::make_unique<LoadedSwpkFile>(platform::FileMapping(), std::move(copy), bytes, size,
                                            label, options);
}

}  // namespace swaprun::format
