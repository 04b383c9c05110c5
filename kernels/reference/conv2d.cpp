// Naive 2-D convolution (ONNX Conv semantics plus the pad modes of kernel_types.h).
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {

using detail::activate;
using detail::map_index;

void conv2d(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
            float* output) {
    const int64_t in_per_group = p.in_channels / p.groups;
    const int64_t out_per_group = p.out_channels / p.groups;
    for (int64_t n = 0; n < p.batch; ++n) {
        for (int64_t oc = 0; oc < p.out_channels; ++oc) {
            const int64_t g = oc / out_per_group;
            for (int64_t oh = 0; oh < p.out_height; ++oh) {
                for (int64_t ow = 0; ow < p.out_width; ++ow) {
                    double sum = 0.0;
                    for (int64_t icg = 0; icg < in_per_group; ++icg) {
                        const int64_t ic = g * in_per_group + icg;
                        for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
                            const int64_t ih =
                                map_index(oh * p.stride_h - p.pad_top + kh * p.dilation_h,
                                          p.in_height, p.pad_mode);
                            if (ih < 0) continue;
                            for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
                                const int64_t iw =
                                    map_index(ow * p.stride_w - p.pad_left + kw * p.dilation_w,
                                              p.in_width, p.pad_mode);
                                if (iw < 0) continue;
                                const double x =
                                    input[((n * p.in_channels + ic) * p.in_height + ih) *
                                              p.in_width +
                                          iw];
                                const double w =
                                    weight[((oc * in_per_group + icg) * p.kernel_h + kh) *
                                               p.kernel_w +
                                           kw];
                                sum += x * w;
                            }
                        }
                    }
                    if (bias != nullptr) sum += bias[oc];
                    output[((n * p.out_channels + oc) * p.out_height + oh) * p.out_width + ow] =
                        static_cast<float>(activate(sum, p.activation));
                }
            }
        }
    }
}

}  // namespace swaprun::kernels::reference
