// Writing and reading .swpk files (layout in swpk_layout.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "format/model_description.h"
#include "kernels/allocator.h"
#include "util/limits.h"

namespace swaprun::format {

// Checksum of `size` bytes: a fast 64-bit hash with four independent lanes, so that
// verifying a file of hundreds of megabytes costs a fraction of loading it.
uint64_t checksum64(const uint8_t* data, uint64_t size);

// Serializes `model` to `path` atomically: written to a temporary file beside it,
// flushed, then renamed; on any failure nothing is left at `path` (an existing file
// there is left untouched). Throws swaprun::Error.
void write_swpk(const ModelDescription& model, const std::string& path);

struct ReadOptions {
    bool verify_checksum = true;
    // Largest activation arena (the planned bytes of every activation of one
    // inference) a context of this model may need; checked by engine::LoadedModel
    // when it plans the model, before any context allocates (util/limits.h).
    uint64_t max_activation_bytes = limits::kDefaultMaxActivationBytes;
};

// A validated .swpk file mapped into memory. The description's constant tensors
// point into the mapping, which lives as long as this object.
class SwpkFile {
  public:
    // Maps and validates the file: header, version, section table, every string
    // reference, tensor record, op record and attribute, every data range (inside
    // the file, 64-byte aligned, size = elements * 4), tensor index references, and
    // the checksum. Throws swaprun::Error naming the file, the offset and what is wrong.
    static std::unique_ptr<SwpkFile> open(const std::string& path, const ReadOptions& options = {});
    // The same validation, over bytes used in place: they must start on a 64-byte
    // boundary (InvalidArgument otherwise) and stay alive and unchanged for the
    // lifetime of the returned object. `label` names the bytes in messages.
    static std::unique_ptr<SwpkFile> from_memory(const uint8_t* data, uint64_t size,
                                                 const std::string& label,
                                                 const ReadOptions& options = {});
    // The same, over a 64-byte aligned copy of the bytes taken from `allocator`
    // and owned by the returned object: the caller's bytes (any alignment) are not
    // referenced once this returns.
    static std::unique_ptr<SwpkFile> copy_from_memory(const uint8_t* data, uint64_t size,
                                                      const std::string& label,
                                                      const ReadOptions& options = {},
                                                      const Allocator& allocator = {});

    virtual ~SwpkFile() = default;
    virtual const ModelDescription& model() const = 0;
    virtual const std::string& path() const = 0;
    virtual uint32_t version() const = 0;

    // Hints that a constant's bytes will not be read again soon (its contents were
    // copied into another layout): a mapped file drops those pages from resident
    // memory, to be read back from the file if they are touched again. The bytes stay
    // valid and readable either way; bytes owned by a caller are left alone.
    virtual void discard_pages(std::span<const float> /*bytes*/) const noexcept {}
};

}  // namespace swaprun::format
