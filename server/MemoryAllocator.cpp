#include "MemoryAllocator.h"

#include <malloc.h>

namespace Messenger::Server::MemoryAllocator {

void tuneForServing()
{
#ifdef __GLIBC__
    constexpr int mebibyte = 1024 * 1024;
    mallopt(M_TRIM_THRESHOLD, 8 * mebibyte);
    mallopt(M_TOP_PAD, 4 * mebibyte);
    mallopt(M_MMAP_THRESHOLD, 4 * mebibyte);
#endif
}

} // namespace Messenger::Server::MemoryAllocator
