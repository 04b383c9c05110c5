// Whole-array fp16 conversions for the inputs and outputs of fp16 contexts: 8 values
// per instruction with x86's F16C where the CPU has it, half.h's scalar conversions
// elsewhere. Both round to nearest even and overflow to infinity, so the results are
// the same bits (NaNs aside: both give a NaN).
#pragma once

#include <cstddef>
#include <cstdint>

namespace swaprun::vulkan {

void floats_to_halves(const float* src, uint16_t* dst, size_t count);
void halves_to_floats(const uint16_t* src, float* dst, size_t count);

// Whether the F16C loops run on this machine (tests check that they were exercised).
bool half_convert_uses_f16c();

}  // namespace swaprun::vulkan
