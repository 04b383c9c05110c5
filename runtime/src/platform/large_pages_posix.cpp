#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

#include "platform/large_pages.h"

namespace swaprun::platform {
namespace {

constexpr size_t kLargePage = size_t{2} << 20;
// Below this a block keeps ordinary pages: aligning it to 2 MiB would waste more
// address space than its large pages could save.
constexpr size_t kLargeBlock = 2 * kLargePage;

void* allocate(void*, size_t size, size_t alignment) {
    if (size < kLargeBlock) return std::aligned_alloc(alignment, size);
    // aligned_alloc wants a size that is a multiple of the alignment; only the whole
    // large pages inside [p, p + size) are advised, so the tail keeps small pages and
    // costs no memory beyond what was asked for.
    const size_t rounded = (size + kLargePage - 1) / kLargePage * kLargePage;
    void* p = std::aligned_alloc(kLargePage, rounded);
#ifdef MADV_HUGEPAGE
    const size_t whole = size / kLargePage * kLargePage;
    if (p != nullptr) madvise(p, whole, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
    return p;
}

void release(void*, void* p, size_t) { std::free(p); }

}  // namespace

Allocator large_page_allocator() {
    Allocator a;
    a.allocate = allocate;
    a.release = release;
    return a;
}

}  // namespace swaprun::platform
