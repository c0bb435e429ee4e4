#pragma once

namespace Messenger::Server::MemoryAllocator {

// Tunes glibc's malloc for a server that builds answers of hundreds of
// kilobytes (a chat list, a history page, a presence frame) and frees them a
// moment later. Call first thing in main, before any thread starts.
//
// By default glibc hands the free top of the heap back to the kernel once more
// than 128 KiB of it is free, and its threshold for serving a block by mmap
// moves with the blocks freed. So every such answer grew the heap (page faults
// on fresh pages, memmove as its buffer was reallocated) and shrank it again
// (brk, with a TLB shootdown on every core): 44% of the server's CPU during
// `chat-list` went to the kernel doing that. Keeping up to 8 MiB free per
// arena, growing by 4 MiB at a time, and serving only blocks of 4 MiB and more
// by mmap (returned at once when freed) keeps the memory answers reuse mapped,
// while what is kept stays bounded.
void tuneForServing();

} // namespace Messenger::Server::MemoryAllocator
