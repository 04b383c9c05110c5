// Winograd F(4x4, 3x3) convolution: the per-ISA stage kernels behind
// PreparedConv2d (private to kernels/).
//
// Layout. Output tiles are numbered row-major over the image (tile t covers
// output rows 4*(t / tiles_w).. and columns 4*(t % tiles_w)..). Tiles are taken
// in blocks of `tile_block`; for each block the three stages run one after the
// other with all threads:
//   V[xi][c][t]  = (B^T d B)[xi]   input transform, vectorized over tiles
//   M[xi][k][t]  = sum_c U[xi][k][c] * V[xi][c][t]   36 independent GEMMs
//   out          = A^T M A + bias, activation        output transform
// U is packed at load as [xi][k / mr][c][mr] (zero rows past out_channels), so
// the GEMM micro-kernel broadcasts mr consecutive weights per input channel and
// multiplies them with nr vectors of tiles. Each M element is one thread's sum
// over c in increasing order, whatever the thread count.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace swaprun::kernels::winograd {

inline constexpr int kPoints = 36;    // 6x6 transform points
inline constexpr int kTile = 4;       // output tile edge
inline constexpr int kSlicePad = 16;  // floats between point slices (see winograd_impl.h)

struct Args {
    const Conv2dParams* p = nullptr;
    const float* u = nullptr;     // packed transformed weights
    const float* bias = nullptr;  // out_channels values
    const float* input = nullptr;
    float* output = nullptr;
    float* scratch =
        nullptr;  // v (kPoints * in_c * tile_block) then m (kPoints * k_padded * tile_block)
    int64_t tiles = 0, tile_block = 0, k_padded = 0;
    int threads = 1;
};

struct Kernels {
    const char* name;
    int lanes;  // floats per vector
    int mr;     // output channels per micro-kernel
    int nr;     // vectors of tiles per micro-kernel
    void (*run)(const Args& a);
};

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_WINOGRAD_X86 1
extern const Kernels kAvx2;
extern const Kernels kAvx512;
#else
#define SWAPRUN_WINOGRAD_X86 0
#endif

#if defined(__aarch64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_WINOGRAD_NEON 1
extern const Kernels kNeon;
#else
#define SWAPRUN_WINOGRAD_NEON 0
#endif

}  // namespace swaprun::kernels::winograd
