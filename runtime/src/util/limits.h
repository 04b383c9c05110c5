// Every limit swaprun puts on what a file may declare, in one place. Each is checked
// against the declared value before anything is allocated for it; a file beyond one
// fails with a message naming the file, what was declared and the limit.
//
// Settable at run time: the activation memory of a model (swr_model_options.
// max_activation_bytes, swaprun --max-activation-mb), image pixels (ImageLimits) and
// Y4M frame sizes (Y4mLimits, pipeline/y4m_format.h). The others are fixed far above
// any face model and exist only to bound the work a hostile file can cause; a build
// that needs more changes them here. docs/hardening.md lists them all.
#pragma once

#include <cstddef>
#include <cstdint>

namespace swaprun::limits {

// ---- .swpk files (format/swpk_records.cpp) ----
// Elements of one tensor (16 GiB of floats): keeps a hostile shape from sizing an
// absurd arena before the total below is even computed.
inline constexpr int64_t kMaxSwpkTensorElements = int64_t{1} << 32;
// Ops of a graph: real generators have a few hundred; validation and planning are
// quadratic in this.
inline constexpr uint32_t kMaxSwpkOps = 1u << 16;
// Graph inputs and outputs (real models have one to three).
inline constexpr uint32_t kMaxSwpkGraphInterface = 1u << 12;

// ---- models being loaded (engine/loaded_model.cpp) ----
// Default bound on one context's activation arena (the planned activations). The
// full-size inswapper_128 needs well under 1 GiB; the limit stops a small hostile file
// from making every swr_context_create ask for tens of gigabytes.
inline constexpr uint64_t kDefaultMaxActivationBytes = uint64_t{4} << 30;

// ---- ONNX files (converter/onnx/decode.cpp) ----
// Elements of one tensor in the file (64 GiB of floats: initializers must also fit in
// the 2 GiB protobuf limit, so this is reached only by a lying header).
inline constexpr int64_t kMaxOnnxTensorElements = int64_t{1} << 34;

// Elements of any shape the converter computes (products above it would overflow).
inline constexpr int64_t kMaxOnnxShapeElements = int64_t{1} << 40;
// Elements of a constant the converter computes at conversion time (folding shape
// subgraphs, ConstantOfShape, Range, Expand and the like): far above any weight of the
// generators (inswapper_128's largest has 9.4 M), far below what would let a tiny file
// make swapconv allocate gigabytes.
inline constexpr int64_t kMaxFoldedElements = int64_t{1} << 26;

// ---- .npy files (tools/common/npy.cpp) ----
// Dimensions, as numpy itself allows.
inline constexpr size_t kMaxNpyDims = 64;

// ---- images (pipeline/image_io.h) ----
// Default pixels of a decoded image, checked on the header before decoding: 64 Mpx is
// above 8K frames.
inline constexpr uint64_t kDefaultMaxImagePixels = uint64_t{64} << 20;

}  // namespace swaprun::limits
