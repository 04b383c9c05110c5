// Shape arithmetic shared by the passes and the lowering: ONNX broadcasting, axis
// normalization, and element-wise evaluation over broadcast constants.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace swaprun::convert {

using Dims = std::vector<int64_t>;

int64_t element_count(const Dims& dims);
std::string format_dims(const Dims& dims);  // "[1,3,128,128]"

// Numpy broadcasting of two shapes; throws (naming `what`) when incompatible.
Dims broadcast_shapes(const Dims& a, const Dims& b, const std::string& what);

// Maps a possibly negative axis into [0, rank); throws (naming `what`) when out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& what);

// Flat index into an operand of shape `in` for each flat index of the broadcast `out`.
std::vector<int64_t> broadcast_indices(const Dims& out, const Dims& in);

// Row-major strides of `dims`.
Dims strides_of(const Dims& dims);

}  // namespace swaprun::convert
