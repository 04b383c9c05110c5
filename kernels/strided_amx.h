// The 3x3 stride-2 convolutions with zero padding (an encoder's down-sampling layers)
// on AMX tiles in bf16x3 (ConvPrecision::Bf16x3; private to kernels/): a direct
// convolution, each of the 9 taps a GEMM of the weights by the input's pixels, summed
// in the tiles' accumulators. Products as winograd_amx.h's: hi hi + hi lo + lo hi.
//
// No im2col. The input is split per run into hi and lo bf16 words, a pair of input
// channels to a 32-bit word (the pairs one dot-product instruction takes), and per tap
// column kx its columns 2x + kx - 1 (x = 0, 1, ...): the tap's 16 output columns then
// read 16 consecutive words, one cache line, of one input row; the 16 pairs of a step
// of 32 input channels lie `ld` words apart, which the tile load takes as its row
// stride. So B, one step of one tap for 16 output pixels, is a single strided tile
// load of the split input, as A, the tap's weights for 16 output channels, is of the
// weights packed at load.
//
// Split input, per thread and chunk of its output rows: words [row][slot][pair][ld], a
// slot per tap column kx, row r holding input row 2 oy0 + r - 1 (oy0 the chunk's first output row;
// row -1 is the zero padding above the image, column -1 the padding left of it), pairs past the
// input channels zeros; the lo words follow the hi ones. A chunk's rows are split just
// before its outputs are made, so they are read from L2; each thread splits the rows
// its own output rows read, so no thread waits for another, and each output element is
// one sum over the taps and steps in order, whatever the thread count.
//
// Layers of 16 input channels or fewer would fill half of each tile step: their split
// rows hold 4 slots of 8 pairs, the tap columns 0, 2, 1 and one of zeros, so that a
// step takes two taps, (0, 2) then (1, zeros), 6 steps per output row instead of 9;
// their weights are packed per kernel row as 64 channels in that order.
//
// Where it applies: stride 2, one pixel of zero padding on the top and left, input
// height and width twice the output's, output channels whole tiles of 16 (A's rows)
// and output rows whole tiles of 16 columns (B's). Whether it pays is the caller's
// rule (conv2d_choice.cpp).
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace swaprun::kernels::strided_amx {

bool applies(const Conv2dParams& p);

// bf16 words of the packed weights: per tap, winograd_amx's A layout of [k][c].
int64_t weight_words(const Conv2dParams& p);
void pack_weights(const Conv2dParams& p, const float* weight, uint16_t* a);

// Floats of scratch a run with `threads` threads needs (64-byte aligned).
int64_t scratch_floats(const Conv2dParams& p, int threads);

// output = act(conv(input) + bias); only after winograd_amx::available().
void run(const Conv2dParams& p, const uint16_t* a, const float* bias, const float* input,
         float* output, float* scratch, int threads);

}  // namespace swaprun::kernels::strided_amx
