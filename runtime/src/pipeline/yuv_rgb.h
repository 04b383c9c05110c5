// Y4M frames to RGB8 images and back.
//
// Colours: BT.601 (ITU-R BT.601, Kr 0.299, Kb 0.114), limited range (luma 16..235, chroma
// 16..240) unless the header says XCOLORRANGE=FULL. That is what ffmpeg assumes for Y4M
// without colour tags, and what its rgb24 output of such a stream uses.
//
// Chroma: upsampled by repeating each sample over the pixels it covers (2x2 for 4:2:0,
// 2x1 for 4:2:2), as ffmpeg's same-size yuv420p -> rgb24 conversion does; downsampled by
// averaging those pixels. The 4:2:0 siting variants are treated alike: the difference is
// a quarter-pixel shift of the chroma, below what this pipeline changes.
#pragma once

#include "pipeline/image.h"
#include "pipeline/y4m_format.h"
#include "pipeline/y4m_reader.h"

namespace swaprun::pipeline {

// `rgb` is given the frame's size (reallocated only when it differs). Throws
// swaprun::Error (InvalidArgument) when the frame's buffer does not fit the header.
void y4m_to_rgb(const Y4mHeader& header, const Y4mFrame& frame, Image& rgb);

// The whole frame from `rgb` (of the header's size); frame.planes is resized to fit.
// Throws swaprun::Error (InvalidArgument) for a size mismatch.
void rgb_to_y4m(const Image& rgb, const Y4mHeader& header, Y4mFrame& frame);

// Re-encodes only where `edited` differs from `decoded` (what y4m_to_rgb gave for this
// frame): each changed pixel's luma and the chroma samples covering a changed pixel.
// Every other byte of `frame` is left as it came, so a frame without a change is written
// back unchanged and no colour drift builds up outside the edited faces.
void update_y4m_where_changed(const Image& decoded, const Image& edited, const Y4mHeader& header,
                              Y4mFrame& frame);

}  // namespace swaprun::pipeline
