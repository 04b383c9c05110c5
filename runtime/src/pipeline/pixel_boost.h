// FaceFusion's pixel boost: a generator made for S x S crops run on a crop `factor`
// times larger. The large crop is split into factor^2 strided sub-images (polyphase:
// sub-image (i, j) holds the pixels at rows i, i + factor, ... and columns j,
// j + factor, ...), each is run through the generator, and the outputs are interleaved
// back. Sub-image k = i * factor + j.
#pragma once

#include <span>
#include <vector>

#include "pipeline/image.h"

namespace swaprun::pipeline {

// Throws swaprun::Error (InvalidArgument) unless factor >= 1 divides both sides.
std::vector<PlanarImage> split_polyphase(const PlanarImage& crop, int factor);

// The inverse of split_polyphase. Throws swaprun::Error (InvalidArgument) unless there
// are factor^2 sub-images of one size.
PlanarImage merge_polyphase(std::span<const PlanarImage> tiles, int factor);

}  // namespace swaprun::pipeline
