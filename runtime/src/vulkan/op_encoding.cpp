#include "vulkan/op_encoding.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <limits>

#include "kernels/kernel_types.h"
#include "util/error.h"
#include "util/str_cat.h"
#include "vulkan/pipeline_set.h"

namespace swaprun::vulkan {
namespace {

using kernels::kMaxRank;
using kernels::Shape;

// The shaders index with 32-bit integers.
int32_t word(int64_t v) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        throw Error(ErrorKind::Unsupported,
                    str_cat("Vulkan: a size of ", v, " exceeds the shaders' 32-bit indexing"));
    }
    return static_cast<int32_t>(v);
}

int32_t word(float v) { return std::bit_cast<int32_t>(v); }

void strides_of(const Shape& s, int64_t* strides) {
    int64_t acc = 1;
    for (int i = s.rank - 1; i >= 0; --i) {
        strides[i] = acc;
        acc *= s.dims[i];
    }
}

struct Encoder {
    const graph::CheckedOp& op;
    const EncodeSettings& settings;
    std::array<uint32_t, 3> max_groups;
    std::vector<Dispatch> out;

    uint32_t in(size_t slot) const { return slot < op.inputs.size() ? op.inputs[slot] : kNoTensor; }

    Dispatch& add(const char* shader, size_t inputs, int activation = 0) {
        Dispatch& d = out.emplace_back();
        d.shader = shader;
        d.activation = activation;
        d.output = op.output;
        for (size_t s = 0; s < inputs; ++s) d.inputs[s] = in(s);
        return d;
    }

    // A grid of ceil(count / group) workgroups, wrapped into y beyond the x limit.
    std::array<uint32_t, 3> linear_grid(int64_t count, int64_t group = kLinearGroupSize) const {
        const int64_t groups = std::max<int64_t>(1, (count + group - 1) / group);
        const int64_t x = std::min<int64_t>(groups, max_groups[0]);
        const int64_t y = (groups + x - 1) / x;
        if (y > max_groups[1]) {
            throw Error(ErrorKind::Unsupported,
                        str_cat("Vulkan: ", count, " elements exceed the dispatch grid"));
        }
        return {static_cast<uint32_t>(x), static_cast<uint32_t>(y), 1};
    }

    // Arguments both convolution shaders read (words 0..18).
    static std::vector<int32_t> conv_args(const kernels::Conv2dParams& p, bool has_bias) {
        return {word(p.batch),
                word(p.in_channels),
                word(p.in_height),
                word(p.in_width),
                word(p.out_channels),
                word(p.out_height),
                word(p.out_width),
                word(p.kernel_h),
                word(p.kernel_w),
                word(p.stride_h),
                word(p.stride_w),
                word(p.dilation_h),
                word(p.dilation_w),
                word(p.pad_top),
                word(p.pad_left),
                word(p.groups),
                static_cast<int32_t>(p.pad_mode),
                word(p.activation.alpha),
                has_bias ? 1 : 0};
    }

    void direct_conv(const kernels::Conv2dParams& p, const DirectConvTile& tile) {
        Dispatch& d = add("conv2d_direct", 3, static_cast<int>(p.activation.kind));
        d.constants = {tile.channels, tile.pixels};
        const int64_t pixel_tiles = (p.out_width + tile.pixels - 1) / tile.pixels;
        const int64_t channel_tiles =
            (p.out_channels / p.groups + tile.channels - 1) / tile.channels;
        const int64_t invocations = p.batch * p.groups * channel_tiles * p.out_height * pixel_tiles;
        d.groups = linear_grid(word(invocations));
        d.args = conv_args(p, in(2) != kNoTensor);
        d.args.push_back(word(pixel_tiles));
        d.args.push_back(word(channel_tiles));
        check_conv_indexing(p);
    }

    void tiled_conv(const kernels::Conv2dParams& p) {
        const int activation = static_cast<int>(p.activation.kind);
        Dispatch& d = add("conv2d", 3, activation);
        const int64_t rows = p.out_channels / p.groups;
        const int64_t pixels = p.out_height * p.out_width;
        const int64_t planes = p.batch * p.groups;
        const int64_t depth = (p.in_channels / p.groups) * p.kernel_h * p.kernel_w;
        const TiledConvTile tile =
            settings.tiled.rows > 0 ? settings.tiled : plan_tiled_conv(rows, pixels, planes, depth);
        // Each part a whole number of 16-deep slices (at least one), none empty.
        const int64_t wanted = std::max(tile.splits, 1);
        const int64_t part = std::max<int64_t>(16, ((depth + wanted - 1) / wanted + 15) / 16 * 16);
        const int64_t splits = (depth + part - 1) / part;
        d.constants = {tile.rows, tile.cols};
        const int64_t row_tiles = (rows + 16 * tile.rows - 1) / (16 * tile.rows);
        const int64_t col_tiles = (pixels + 16 * tile.cols - 1) / (16 * tile.cols);
        const int64_t x = std::min<int64_t>(col_tiles, max_groups[0]);
        const int64_t y = row_tiles * ((col_tiles + x - 1) / x);
        if (y > max_groups[1] || planes * splits > max_groups[2]) {
            throw Error(ErrorKind::Unsupported, "Vulkan: a convolution exceeds the dispatch grid");
        }
        d.groups = {static_cast<uint32_t>(x), static_cast<uint32_t>(y),
                    static_cast<uint32_t>(planes * splits)};
        d.args = conv_args(p, in(2) != kNoTensor);
        d.args.push_back(word(row_tiles));
        d.args.push_back(word(splits));
        d.args.push_back(word(part));
        check_conv_indexing(p);
        if (splits == 1) return;

        // The parts' partial sums go to the scratch buffer; a second dispatch adds them.
        const int64_t count = p.batch * p.out_channels * pixels;
        d.output = kScratchTensor;
        d.scratch_elements = static_cast<uint64_t>(word(splits * count));
        d.activation = 0;
        Dispatch& sum = add("conv2d_sum", 0, activation);
        sum.inputs = {kScratchTensor, in(2), kNoTensor, kNoTensor};
        sum.scratch_elements = static_cast<uint64_t>(splits * count);
        sum.groups = linear_grid(count);
        sum.args = {word(count),
                    word(splits),
                    word(pixels),
                    word(p.out_channels),
                    in(2) != kNoTensor ? 1 : 0,
                    word(p.activation.alpha)};
    }

    // The weights (K per output row included), the input and the output must be
    // indexable with 32-bit words.
    static void check_conv_indexing(const kernels::Conv2dParams& p) {
        word(p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w);
        word(p.batch * p.in_channels * p.in_height * p.in_width);
        word(p.batch * p.out_channels * p.out_height * p.out_width);
    }

    void operator()(const kernels::Conv2dParams& p) {
        const int64_t rows = p.out_channels / p.groups;
        switch (settings.conv) {
            case ConvAlgorithm::Direct:
                direct_conv(p, settings.tile);
                return;
            case ConvAlgorithm::Tiled:
                tiled_conv(p);
                return;
            case ConvAlgorithm::Auto:
                if (rows < 16) {
                    // One invocation per pixel quad covering every channel: no idle rows.
                    direct_conv(p, {static_cast<int>(std::min<int64_t>(rows, 8)), 4});
                } else {
                    tiled_conv(p);
                }
                return;
        }
    }

    void operator()(const graph::AdainOp& a) {
        const auto& p = a.params;
        Dispatch& d = add("adain", 4, static_cast<int>(p.activation.kind));
        d.groups = {static_cast<uint32_t>(p.channels), static_cast<uint32_t>(p.batch), 1};
        if (p.channels > max_groups[0] || p.batch > max_groups[1]) {
            throw Error(ErrorKind::Unsupported, "Vulkan: an Adain exceeds the dispatch grid");
        }
        word(p.batch * p.channels * p.height * p.width);
        d.args = {word(p.channels),           word(p.height * p.width), word(p.epsilon),
                  word(a.scale_offset),       word(a.shift_offset),     word(a.scale_batch_stride),
                  word(a.shift_batch_stride), word(p.activation.alpha), in(3) != kNoTensor ? 1 : 0};
    }

    void operator()(const kernels::GemmParams& p) {
        Dispatch& d = add("gemm", 3, static_cast<int>(p.activation.kind));
        d.groups = linear_grid(p.m * p.n);
        d.args = {word(p.m),
                  word(p.n),
                  word(p.k),
                  p.trans_a ? 1 : 0,
                  p.trans_b ? 1 : 0,
                  word(p.alpha),
                  word(p.beta),
                  word(p.bias_rows),
                  word(p.bias_cols),
                  in(2) != kNoTensor ? 1 : 0,
                  word(p.activation.alpha)};
        word(p.m * p.k);
        word(p.k * p.n);
    }

    void operator()(const kernels::ResizeParams& p) {
        Dispatch& d = add("resize", 1);
        const int64_t count = p.batch * p.channels * p.out_height * p.out_width;
        word(p.batch * p.channels * p.in_height * p.in_width);
        d.groups = linear_grid(count);
        d.args = {word(count),
                  word(p.in_height),
                  word(p.in_width),
                  word(p.out_height),
                  word(p.out_width),
                  word(p.scale_h),
                  word(p.scale_w),
                  static_cast<int32_t>(p.mode),
                  static_cast<int32_t>(p.coordinates),
                  static_cast<int32_t>(p.nearest),
                  word(p.cubic_coeff_a),
                  p.exclude_outside ? 1 : 0};
    }

    void operator()(const graph::BinaryOpParams& p) {
        Dispatch& d = add("binary", 2);
        const int64_t count = p.out.elements();
        d.groups = linear_grid(count);
        d.args.assign(27, 0);
        d.args[0] = word(count);
        d.args[1] = static_cast<int32_t>(p.op);
        d.args[2] = p.out.rank;
        // Operand strides right-aligned against the output; 0 where broadcast.
        auto operand = [&](const Shape& s, int first) {
            int64_t stride = 1;
            for (int k = s.rank - 1; k >= 0; --k) {
                const int od = p.out.rank - s.rank + k;
                d.args[first + od] = s.dims[k] == 1 ? 0 : word(stride);
                stride *= s.dims[k];
            }
        };
        for (int k = 0; k < p.out.rank; ++k) d.args[3 + k] = word(p.out.dims[k]);
        operand(p.a, 11);
        operand(p.b, 19);
    }

    void operator()(const graph::UnaryOpParams& p) {
        Dispatch& d = add("unary", 1);
        d.groups = linear_grid(p.count);
        d.args = {word(p.count), static_cast<int32_t>(p.op), word(p.alpha)};
    }

    void operator()(const graph::ReduceMeanParams& p) {
        Dispatch& d = add("reduce_mean", 1);
        int64_t in_strides[kMaxRank] = {};
        strides_of(p.in, in_strides);
        Shape o = p.in;
        int64_t reduced = 1;
        for (int k = 0; k < p.in.rank; ++k) {
            if (p.axes_mask & (1u << k)) {
                o.dims[k] = 1;
                reduced *= p.in.dims[k];
            }
        }
        d.groups = linear_grid(o.elements());
        d.args.assign(28, 0);
        d.args[0] = word(o.elements());
        d.args[1] = p.in.rank;
        d.args[2] = word(reduced);
        for (int k = 0; k < p.in.rank; ++k) {
            d.args[3 + k] = word(o.dims[k]);
            d.args[11 + k] = word(p.in.dims[k]);
            d.args[19 + k] = word(in_strides[k]);
        }
        d.args[27] = static_cast<int32_t>(p.axes_mask);
        word(p.in.elements());
    }

    void operator()(const kernels::PadParams& p) {
        Dispatch& d = add("pad", 1);
        int64_t in_strides[kMaxRank] = {};
        strides_of(p.in_shape, in_strides);
        int64_t count = 1;
        d.args.assign(36, 0);
        for (int k = 0; k < p.in_shape.rank; ++k) {
            const int64_t dim = p.in_shape.dims[k] + p.begin[k] + p.end[k];
            count *= dim;
            d.args[4 + k] = word(dim);
            d.args[12 + k] = word(p.in_shape.dims[k]);
            d.args[20 + k] = word(in_strides[k]);
            d.args[28 + k] = word(p.begin[k]);
        }
        d.args[0] = word(count);
        d.args[1] = p.in_shape.rank;
        d.args[2] = static_cast<int32_t>(p.mode);
        d.args[3] = word(p.value);
        d.groups = linear_grid(count);
        word(p.in_shape.elements());
    }

    void operator()(const graph::ReshapeParams& p) {
        Dispatch& d = add("copy", 1);
        d.groups = linear_grid(p.count);
        d.args = {word(p.count), word(p.count), word(p.count), 0};
    }

    void operator()(const graph::ConcatParams& p) {
        // One block copy per input, each writing its slice of every output row.
        const Shape& s0 = p.shapes[0];
        int64_t inner = 1;
        for (int k = p.axis + 1; k < s0.rank; ++k) inner *= s0.dims[k];
        int64_t out_axis = 0;
        for (const Shape& s : p.shapes) out_axis += s.dims[p.axis];
        int64_t start = 0;
        for (size_t t = 0; t < p.shapes.size(); ++t) {
            Dispatch& d = out.emplace_back();
            d.shader = "copy";
            d.output = op.output;
            d.inputs[0] = in(t);
            const int64_t block = p.shapes[t].dims[p.axis] * inner;
            const int64_t count = p.shapes[t].elements();
            d.groups = linear_grid(count);
            d.args = {word(count), word(block), word(out_axis * inner), word(start)};
            start += block;
        }
    }

    void operator()(const kernels::Pool2dParams& p) {
        Dispatch& d = add("pool", 1);
        const int64_t count = p.batch * p.channels * p.out_height * p.out_width;
        d.groups = linear_grid(count);
        d.args = {word(count),
                  static_cast<int32_t>(p.kind),
                  p.count_include_pad ? 1 : 0,
                  word(p.in_height),
                  word(p.in_width),
                  word(p.out_height),
                  word(p.out_width),
                  word(p.kernel_h),
                  word(p.kernel_w),
                  word(p.stride_h),
                  word(p.stride_w),
                  word(p.pad_top),
                  word(p.pad_left),
                  word(p.pad_bottom),
                  word(p.pad_right)};
        word(p.batch * p.channels * p.in_height * p.in_width);
    }

    void operator()(const graph::TransposeParams& p) {
        Dispatch& d = add("transpose", 1);
        int64_t in_strides[kMaxRank] = {};
        strides_of(p.in, in_strides);
        const int64_t count = p.in.elements();
        d.groups = linear_grid(count);
        d.args.assign(18, 0);
        d.args[0] = word(count);
        d.args[1] = p.in.rank;
        for (int k = 0; k < p.in.rank; ++k) {
            d.args[2 + k] = word(p.in.dims[p.perm[k]]);
            d.args[10 + k] = word(in_strides[p.perm[k]]);
        }
    }
};

}  // namespace

TiledConvTile plan_tiled_conv(int64_t rows, int64_t pixels, int64_t planes, int64_t depth) {
    TiledConvTile best{1, 1, 1};
    int64_t best_groups = 0;
    const int64_t most_splits =
        std::clamp<int64_t>(depth / kMinSplitDepth, 1, static_cast<int64_t>(kMaxSplits));
    for (const int tm : {4, 2, 1}) {
        // Tiles whose rows, over the layer, would be more than a quarter empty are
        // left out (16 rows always qualify).
        const int64_t covered = (rows + 16 * tm - 1) / (16 * tm) * (16 * tm);
        if (tm > 1 && 4 * (covered - rows) > covered) continue;
        for (const int tn : {4, 2, 1}) {
            const int64_t tiles =
                (rows + 16 * tm - 1) / (16 * tm) * ((pixels + 16 * tn - 1) / (16 * tn)) * planes;
            const int64_t splits =
                std::clamp<int64_t>((kFillGroups + tiles - 1) / tiles, 1, most_splits);
            const int64_t groups = tiles * splits;
            const bool fills = groups >= kFillGroups;
            const bool best_fills = best_groups >= kFillGroups;
            const int area = tm * tn, best_area = best.rows * best.cols;
            const int skew = std::abs(tm - tn), best_skew = std::abs(best.rows - best.cols);
            // Filling the GPU first, then the larger tile, then the squarer one (fewer
            // shared-memory reads per multiply-add), then more columns, then fewer parts.
            const bool larger = area > best_area ||
                                (area == best_area &&
                                 (skew < best_skew ||
                                  (skew == best_skew &&
                                   (tn > best.cols || (tn == best.cols && splits < best.splits)))));
            const bool better = best_groups == 0 || (fills && !best_fills) ||
                                (fills == best_fills && (fills ? larger : groups > best_groups));
            if (better) {
                best = {tm, tn, static_cast<int>(splits)};
                best_groups = groups;
            }
        }
    }
    return best;
}

std::vector<Dispatch> encode_op(const graph::CheckedOp& op, const EncodeSettings& settings) {
    const auto valid = [](int t) { return t == 1 || t == 2 || t == 4; };
    const TiledConvTile& tiled = settings.tiled;
    if (tiled.rows != 0 || tiled.cols != 0 || tiled.splits != 0) {
        if (!valid(tiled.rows) || !valid(tiled.cols) || tiled.splits < 0 ||
            tiled.splits > kMaxSplits) {
            throw Error(
                ErrorKind::InvalidArgument,
                str_cat("Vulkan: a tiled convolution tile of ", tiled.rows, " x ", tiled.cols,
                        " in ", tiled.splits, " parts is invalid (1, 2 or 4 each way; 0 to ",
                        kMaxSplits, " parts)"));
        }
    }
    if (settings.tile.channels < 1 || settings.tile.channels > 8 || settings.tile.pixels < 1 ||
        settings.tile.pixels > 8) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("Vulkan: a direct convolution tile of ", settings.tile.channels, " x ",
                            settings.tile.pixels, " is outside 1..8 x 1..8"));
    }
    Encoder encoder{op, settings, settings.max_groups, {}};
    std::visit(encoder, op.params);
    return std::move(encoder.out);
}

}  // namespace swaprun::vulkan
