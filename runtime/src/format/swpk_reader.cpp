// SwpkFile: the validated, mapped model file.
#include <cstring>
#include <utility>

#include "format/swpk_layout.h"
#include "format/swpk_parse.h"
#include "platform/file_mapping.h"

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

class LoadedSwpkFile final : public SwpkFile {
  public:
    // The bytes are in `mapping`, in `copy`, or (both empty) the caller's.
    LoadedSwpkFile(platform::FileMapping mapping, AllocatedBlock copy, const uint8_t* data,
                   uint64_t size, std::string path, const ReadOptions& options)
        : mapping_(std::move(mapping)), copy_(std::move(copy)), path_(std::move(path)) {
        const detail::FileBytes bytes(data, size, path_);
        model_ = detail::parse_swpk(bytes, options, &version_);
    }

    const ModelDescription& model() const override { return model_; }
    const std::string& path() const override { return path_; }
    uint32_t version() const override { return version_; }
    void discard_pages(std::span<const float> bytes) const noexcept override {
        mapping_.discard_pages(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size_bytes());
    }

  private:
    platform::FileMapping mapping_;  // open() only
    AllocatedBlock copy_;            // copy_from_memory() only
    std::string path_;
    ModelDescription model_;
    uint32_t version_ = 0;
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
