// Writing and reading .swpk files (layout in swpk_layout.h).
#pragma once

#include <cstdint>
#include <functional>
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
    // With verify_checksum, a mapped file (SwpkFile::open) leaves the checksum to the
    // first read_constants(), which reads the file anyway: one pass over it instead
    // of two. Until then the bytes are checked only structurally, so the caller must
    // run read_constants() (or verify_pending_checksum()) before it trusts them.
    // Bytes in memory are always verified at once.
    bool defer_checksum = false;
    // Largest activation arena (the planned bytes of every activation of one
    // inference) a context of this model may need; checked by engine::LoadedModel
    // when it plans the model, before any context allocates (util/limits.h).
    uint64_t max_activation_bytes = limits::kDefaultMaxActivationBytes;
    // Also for engine::LoadedModel, when it packs the weights: keep fewer transformed
    // ones (kernels::ConvOptions::low_memory).
    bool low_memory = false;
    // Also for engine::LoadedModel: the convolutions in bf16x3 where the machine can
    // (kernels::ConvPrecision::Bf16x3).
    bool bf16x3 = false;
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

    // The values of the tensors `tensors` (indices into model().tensors of Constant
    // or Extra tensors; any order, repeats ignored), each handed to `use` once, in
    // file order; a span is valid during its call only. A mapped file reads them by
    // offset through one reused buffer rather than through the mapping, which is the
    // fast way to read constants that are copied into another layout (see
    // platform/file_mapping.h), and leaves their pages of the mapping untouched.
    // Where the checksum was deferred (ReadOptions::defer_checksum), this pass reads
    // the whole file and verifies it, and throws the mismatch after the last call:
    // whatever `use` made of the bytes must then be thrown away. InvalidArgument for
    // a tensor without data; Io when reading fails. For the loader: not to be called
    // concurrently with itself or verify_pending_checksum().
    using ConstantUse = std::function<void(uint32_t tensor, std::span<const float> values)>;
    virtual void read_constants(std::span<const uint32_t> tensors,
                                const ConstantUse& use) const = 0;
    // Where the checksum is still deferred: verifies it now (the same pass without
    // the constants), so a loader that fails on the file before read_constants() can
    // report a damaged file as damaged rather than by the check its damage tripped.
    virtual void verify_pending_checksum() const = 0;
};

}  // namespace swaprun::format
