// The whole-array fp16 conversions (F16C where the CPU has it) give the scalar
// conversions' bits: every half value, and floats around every rounding boundary.
#include "vulkan/half_convert.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "vulkan/half.h"

namespace swaprun::vulkan {
namespace {

bool is_nan_half(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0; }

#if defined(__x86_64__)
// Every x86-64 CPU with AVX2 has F16C: there the vector loops must be the ones tested.
TEST(HalfConvert, UsesF16cWhereTheCpuHasIt) {
    if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
    EXPECT_TRUE(half_convert_uses_f16c());
}
#endif

TEST(HalfConvert, EveryHalfWidensAsTheScalarConversion) {
    std::vector<uint16_t> halves(1 << 16);
    for (uint32_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<uint16_t>(i);
    std::vector<float> got(halves.size());
    halves_to_floats(halves.data(), got.data(), halves.size());
    for (uint32_t i = 0; i < halves.size(); ++i) {
        const float want = half_to_float(halves[i]);
        if (std::isnan(want)) {
            EXPECT_TRUE(std::isnan(got[i])) << i;
        } else {
            EXPECT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want)) << i;
        }
    }
}

TEST(HalfConvert, FloatsNarrowAsTheScalarConversion) {
    std::vector<float> floats;
    // Each half, the midpoints to its neighbours and one float either side of them:
    // the round-to-nearest-even cases, subnormals, and overflow past the largest half.
    for (uint32_t h = 0; h < 0x7c00u; ++h) {
        for (const float sign : {1.0f, -1.0f}) {
            const float v = sign * half_to_float(static_cast<uint16_t>(h));
            const float next = sign * half_to_float(static_cast<uint16_t>(h + 1));
            const float mid = (v + next) / 2;
            floats.insert(floats.end(),
                          {v, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 2 * mid)});
        }
    }
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> wide(-70000.0f, 70000.0f);
    for (int i = 0; i < 100000; ++i) floats.push_back(wide(rng));
    floats.insert(floats.end(), {INFINITY, -INFINITY, 1e-30f, -1e-30f, 65520.0f, 65519.0f});
    floats.push_back(7.0f);  // an odd count leaves a scalar tail after the 8-wide loop

    std::vector<uint16_t> got(floats.size());
    floats_to_halves(floats.data(), got.data(), floats.size());
    for (size_t i = 0; i < floats.size(); ++i) {
        EXPECT_EQ(got[i], float_to_half(floats[i])) << floats[i];
    }
    const float nan = std::nanf("");
    uint16_t h = 0;
    floats_to_halves(&nan, &h, 1);
    EXPECT_TRUE(is_nan_half(h));
}

}  // namespace
}  // namespace swaprun::vulkan
