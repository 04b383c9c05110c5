#include "exec/run_op.h"

#include <cstring>

#include "kernels/kernels.h"

namespace swaprun::exec {
namespace {

// One call operator per op's parameter type (std::visit).
struct KernelCall {
    const BoundOp& b;

    const float* in(size_t slot) const { return slot < b.inputs.size() ? b.inputs[slot] : nullptr; }

    void operator()(const kernels::Conv2dParams& p) const {
        if (b.paired_first != nullptr) {
            kernels::PreparedConv2d::run_pair(*b.paired_first, *b.conv, in(0), b.output, b.scratch,
                                              b.threads);
            return;
        }
        if (b.conv != nullptr) {
            b.conv->run(in(0), b.output, b.scratch, b.threads, b.schedule);
            return;
        }
        kernels::conv2d(p, in(0), in(1), in(2), b.output);
    }

    void operator()(const graph::AdainOp& a) const {
        // The kernel takes one scale/shift vector per sample; in the file they sit at
        // offset + n * stride of their source (a Gemm's output split in halves, or a
        // constant shared by the batch with stride 0), so samples go one at a time.
        kernels::AdainParams p = a.params;
        p.batch = 1;
        p.broadcast_batch = false;
        const int64_t plane = p.channels * p.height * p.width;
        for (int64_t n = 0; n < a.params.batch; ++n) {
            const float* residual = in(3) != nullptr ? in(3) + n * plane : nullptr;
            kernels::adain(p, in(0) + n * plane, in(1) + a.scale_offset + n * a.scale_batch_stride,
                           in(2) + a.shift_offset + n * a.shift_batch_stride, residual,
                           b.output + n * plane);
        }
    }

    void operator()(const kernels::GemmParams& p) const {
        kernels::gemm(p, in(0), in(1), in(2), b.output);
    }

    void operator()(const kernels::ResizeParams& p) const { kernels::resize(p, in(0), b.output); }

    void operator()(const graph::BinaryOpParams& p) const {
        kernels::binary(p.op, p.a, in(0), p.b, in(1), p.out, b.output);
    }

    void operator()(const graph::UnaryOpParams& p) const {
        kernels::unary(p.op, p.alpha, p.count, in(0), b.output);
    }

    void operator()(const graph::ReduceMeanParams& p) const {
        kernels::reduce_mean(p.in, p.axes_mask, in(0), b.output);
    }

    void operator()(const kernels::PadParams& p) const { kernels::pad(p, in(0), b.output); }

    void operator()(const graph::ReshapeParams& p) const {
        // Planned in place when the input dies here: then there is nothing to copy.
        if (in(0) != b.output) {
            std::memcpy(b.output, in(0), static_cast<size_t>(p.count) * sizeof(float));
        }
    }

    void operator()(const graph::ConcatParams& p) const {
        kernels::concat(static_cast<int>(p.shapes.size()), p.shapes.data(), b.inputs.data(), p.axis,
                        b.output);
    }

    void operator()(const graph::TransposeParams& p) const {
        kernels::transpose(p.in, p.perm.data(), in(0), b.output);
    }

    void operator()(const kernels::Pool2dParams& p) const { kernels::pool2d(p, in(0), b.output); }
};

}  // namespace

void run_op(const graph::OpParams& params, const BoundOp& buffers) {
    std::visit(KernelCall{buffers}, params);
}

}  // namespace swaprun::exec
