// Where the runtime's large buffers (packed weights, activation arenas) come from
// when the application supplies no allocator. The only platform-specific part of
// allocation: another platform provides its own large_pages_<platform>.cpp.
#pragma once

#include "kernels/allocator.h"

namespace swaprun::platform {

// An Allocator that backs blocks of several MiB with the system's large pages where
// it has them (Linux: transparent huge pages, asked for per block, so it works with
// the kernel's default `madvise` policy) and otherwise behaves as aligned_alloc/free.
// Large pages matter twice here: the Winograd weights of one model span tens of MiB
// that every frame reads in full (a TLB miss per 4 KiB page otherwise), and a block
// faulted in 2 MiB at a time loads several times faster than 4 KiB at a time.
Allocator large_page_allocator();

}  // namespace swaprun::platform
