// Fuzz target: an image file as the face pipeline loads it (stb_image behind a header
// check and the pixel limit).
#include <cstddef>
#include <cstdint>
#include <span>

#include "pipeline/image_io.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace swaprun;
    // The default limit (64 Mpx) lets one input allocate 192 MB legitimately; a lower
    // one keeps each run fast while still exercising the limit check.
    pipeline::ImageLimits limits;
    limits.max_pixels = 4u << 20;
    try {
        const pipeline::Image image =
            pipeline::decode_image(std::span(data, size), "fuzz.img", limits);
        (void)image;
    } catch (const Error&) {
    }
    return 0;
}
