// AMX-BF16 tiles for the Winograd GEMMs (winograd_amx.h). Compiled with -mamx-tile,
// -mamx-bf16 and AVX-512 with its BF16 conversions (kernels/CMakeLists.txt); used only
// after available().
#include "kernels/winograd_amx.h"

#include <cstdlib>
#include <stdexcept>

#if defined(__GNUC__) && defined(__x86_64__) && !defined(SWAPRUN_NO_ISA_DISPATCH)
#define SWAPRUN_AMX 1
// g++ 12's avx512fintrin.h builds its "undefined" vectors by self-initialization,
// which -Wuninitialized reports wherever they are inlined; never read.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // GCC only: clang has no such warning (and -Werror flags the name)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <cpuid.h>
#include <immintrin.h>

#include <xsimd/xsimd.hpp>

#include "kernels/amx_bf16x3.h"
#include "kernels/winograd_g.h"
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif
#else
#define SWAPRUN_AMX 0
#endif

namespace swaprun::kernels::winograd_amx {

#if SWAPRUN_AMX

namespace {

bool disabled_by_environment() {
    const char* off = std::getenv("SWAPRUN_DISABLE_AMX");
    return off != nullptr && off[0] != '\0' && !(off[0] == '0' && off[1] == '\0');
}

bool detect() {
    if (disabled_by_environment()) return false;
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) return false;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0 || (ecx & (1u << 27)) == 0) {
        return false;  // no OSXSAVE: XCR0 cannot be read
    }
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
    const bool amx_bf16 = (edx & (1u << 22)) != 0, amx_tile = (edx & (1u << 24)) != 0;
    if (!amx_bf16 || !amx_tile) return false;
    // AVX512-BF16 (leaf 7, subleaf 1, EAX bit 5): the split's conversion instruction.
    if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) == 0 || (eax & (1u << 5)) == 0) {
        return false;
    }
    // XCR0 bits 17 (XTILECFG) and 18 (XTILEDATA): the OS saves the tile state.
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    const uint64_t xcr0 = (static_cast<uint64_t>(hi) << 32) | lo;
    constexpr uint64_t kTileState = (uint64_t{1} << 17) | (uint64_t{1} << 18);
    if ((xcr0 & kTileState) != kTileState) return false;
#if defined(__linux__)
    // Linux hands out the 8 KiB of tile data per process on request (5.16 and later).
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) return false;
#endif
    return true;
}

// Every tile is 16 rows of 64 bytes: 0-3 the accumulators (C), 4-5 A, 6-7 B.
struct alignas(64) TileConfig {
    uint8_t palette = 1;
    uint8_t start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

using Batch = xsimd::batch<float, xsimd::avx512f>;

// One A row, 32 input channels in two vectors of 16, as hi and lo words at hi and
// hi + kTileWords: U made per run (store_point) and U from load (pack_u) alike.
inline __attribute__((always_inline)) void store_a_row(__m512 first, __m512 second, uint16_t* hi) {
    const bf16x3::Halves h0 = bf16x3::halves(first), h1 = bf16x3::halves(second);
    _mm512_storeu_si512(hi, bf16x3::hi_words(h0, h1));
    _mm512_storeu_si512(hi + kTileWords, bf16x3::lo_words(h0, h1));
}

// Point J's A row (`row` [half][col]: (G g)[Row][col] of the two vectors of channels).
template <int J>
inline __attribute__((always_inline)) void store_point(const Batch (&row)[2][3], uint16_t* hi) {
    store_a_row(winograd::g_row<J>(row[0][0], row[0][1], row[0][2]).data,
                winograd::g_row<J>(row[1][0], row[1][1], row[1][2]).data, hi);
}

template <int Row>
void make_u_row(const float* g, int64_t out_channels, int64_t in_channels, int64_t k0,
                int64_t count, uint16_t* a) {
    const int64_t s = steps(in_channels), padded = s * kStep;
    const int64_t plane = g_plane_floats(out_channels, in_channels);
    const int64_t point_words = a_words(count, in_channels);
    for (int64_t k = 0; k < count; ++k) {
        const int64_t kt = k / kTileRows, r = k % kTileRows;
        const float* gk = g + (k0 + k) * padded;
        for (int64_t c = 0; c < padded; c += kStep) {
            Batch row[2][3];  // (G g)[Row][col] of channels c .. c + 15, then c + 16 .. c + 31
            for (int half = 0; half < 2; ++half) {
                const float* x = gk + c + half * 16;
                for (int col = 0; col < 3; ++col) {
                    row[half][col] =
                        winograd::g_row<Row>(Batch::load_unaligned(x + col * plane),
                                             Batch::load_unaligned(x + (3 + col) * plane),
                                             Batch::load_unaligned(x + (6 + col) * plane));
                }
            }
            uint16_t* hi = a + ((kt * s + c / kStep) * 2) * kTileWords + r * kStep;
            store_point<0>(row, hi);
            store_point<1>(row, hi + point_words);
            store_point<2>(row, hi + 2 * point_words);
            store_point<3>(row, hi + 3 * point_words);
            store_point<4>(row, hi + 4 * point_words);
            store_point<5>(row, hi + 5 * point_words);
        }
    }
}

// C for KT tiles of 16 output channels by two of 16 Winograd tiles: a and b point at
// the first tile's run of steps, runs `run` words apart.
template <int KT>
void gemm_block(const uint16_t* a, const uint16_t* b, int64_t s, int64_t run, float* m,
                int64_t ldm) {
    bf16x3::zero<KT, 2>();
    for (int64_t step = 0; step < s; ++step) {
        const uint16_t* b_hi = b + step * 2 * kTileWords;
        bf16x3::step<KT, 2>(a + step * 2 * kTileWords, run, b_hi, b_hi + run,
                            kTileWords * sizeof(uint16_t), bf16x3::kTileRowBytes);
    }
    bf16x3::store<KT, 2>(m, kTileRows * ldm, kTileRows, ldm * static_cast<int64_t>(sizeof(float)));
}

}  // namespace

bool available() {
    static const bool ok = detect();
    return ok;
}

TileSession::TileSession() {
    TileConfig config;
    for (int t = 0; t < 8; ++t) {
        config.colsb[t] = bf16x3::kTileRowBytes;
        config.rows[t] = kTileRows;
    }
    // g++ 12's _tile_loadconfig tells the compiler it reads 8 bytes of the 64, which
    // then drops the stores to the rest: make all of them happen first.
    __asm__ volatile("" : : "r"(&config) : "memory");
    _tile_loadconfig(&config);
}

TileSession::~TileSession() { _tile_release(); }

void pack_v(const float* v, int64_t in_channels, int64_t ldv, int64_t tiles, uint16_t* b) {
    const int64_t s = steps(in_channels);
    for (int64_t tt = 0; tt < tiles / kTileRows; ++tt) {
        for (int64_t step = 0; step < s; ++step) {
            uint16_t* hi = b + (tt * s + step) * 2 * kTileWords;
            for (int64_t r = 0; r < kTileRows; ++r) {
                const int64_t c = step * kStep + 2 * r;
                const float* row = v + c * ldv + tt * kTileRows;
                const __m512 x0 = c < in_channels ? _mm512_loadu_ps(row) : _mm512_setzero_ps();
                const __m512 x1 =
                    c + 1 < in_channels ? _mm512_loadu_ps(row + ldv) : _mm512_setzero_ps();
                const bf16x3::Halves first = bf16x3::halves(x0), second = bf16x3::halves(x1);
                _mm512_storeu_si512(hi + r * kStep, bf16x3::hi_pairs(first, second));
                _mm512_storeu_si512(hi + kTileWords + r * kStep, bf16x3::lo_pairs(first, second));
            }
        }
    }
}

void pack_u(const float* u, int64_t out_channels, int64_t in_channels, int64_t ldk, int64_t ldc,
            uint16_t* a) {
    const int64_t s = steps(in_channels);
    for (int64_t kt = 0; kt < out_channels / kTileRows; ++kt) {
        for (int64_t step = 0; step < s; ++step) {
            uint16_t* hi = a + (kt * s + step) * 2 * kTileWords;
            for (int64_t r = 0; r < kTileRows; ++r) {
                // The row's 32 channels gathered, then split as make_u_row splits them.
                alignas(64) float x[kStep];
                for (int64_t j = 0; j < kStep; ++j) {
                    const int64_t c = step * kStep + j;
                    x[j] = c < in_channels ? u[(kt * kTileRows + r) * ldk + c * ldc] : 0.0f;
                }
                store_a_row(_mm512_load_ps(x), _mm512_load_ps(x + 16), hi + r * kStep);
            }
        }
    }
}

void make_u_row(const float* g, int64_t out_channels, int64_t in_channels, int row, int64_t k0,
                int64_t count, uint16_t* a) {
    switch (row) {
        case 0:
            return make_u_row<0>(g, out_channels, in_channels, k0, count, a);
        case 1:
            return make_u_row<1>(g, out_channels, in_channels, k0, count, a);
        case 2:
            return make_u_row<2>(g, out_channels, in_channels, k0, count, a);
        case 3:
            return make_u_row<3>(g, out_channels, in_channels, k0, count, a);
        case 4:
            return make_u_row<4>(g, out_channels, in_channels, k0, count, a);
        default:
            return make_u_row<5>(g, out_channels, in_channels, k0, count, a);
    }
}

void gemm(const uint16_t* a, int64_t out_channels, const uint16_t* b, int64_t in_channels,
          int64_t tiles, float* m, int64_t ldm) {
    const int64_t s = steps(in_channels), run = s * 2 * kTileWords;
    const int64_t k_tiles = out_channels / kTileRows;
    // Two tiles of V at a time (their B, 4 KiB per step, stays in L1) against every
    // tile of U.
    for (int64_t tt = 0; tt < tiles / kTileRows; tt += 2) {
        const uint16_t* bt = b + tt * run;
        int64_t kt = 0;
        for (; kt + 2 <= k_tiles; kt += 2) {
            gemm_block<2>(a + kt * run, bt, s, run, m + kt * kTileRows * ldm + tt * kTileRows, ldm);
        }
        if (kt < k_tiles) {
            gemm_block<1>(a + kt * run, bt, s, run, m + kt * kTileRows * ldm + tt * kTileRows, ldm);
        }
    }
}

#else  // no AMX on this processor family: available() is false, so nothing below runs

namespace {
[[noreturn]] void unavailable() { throw std::logic_error("winograd_amx: AMX is x86-64 only"); }
}  // namespace

bool available() { return false; }
TileSession::TileSession() { unavailable(); }
TileSession::~TileSession() = default;
void pack_v(const float*, int64_t, int64_t, int64_t, uint16_t*) { unavailable(); }
void pack_u(const float*, int64_t, int64_t, int64_t, int64_t, uint16_t*) { unavailable(); }
void make_u_row(const float*, int64_t, int64_t, int, int64_t, int64_t, uint16_t*) { unavailable(); }
void gemm(const uint16_t*, int64_t, const uint16_t*, int64_t, int64_t, float*, int64_t) {
    unavailable();
}

#endif

}  // namespace swaprun::kernels::winograd_amx
