// Storage allocation: 64-byte aligned so that kernels' aligned stores and
// cache lines line up for tensors convcore creates itself; large blocks
// kept for reuse when freed (the block cache below).
#include <algorithm>
#include <cstdlib>
#include <list>
#include <mutex>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "convcore/error.h"
#include "convcore/runtime.h"
#include "convcore/tensor.h"

namespace convcore {

const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

namespace {

// Large blocks the cache below cannot serve come fresh from the OS, and
// faulting them in 4 KiB at a time cost more than the work on them (a 100 MB
// relu spent most of its time in page faults). Aligned to 2 MiB and marked
// for transparent huge pages, they fault in 512 times fewer pieces.
constexpr size_t kHuge = size_t{2} << 20;

// Blocks of 4 MiB and more are huge-page aligned, in multiples of 2 MiB;
// blocks of 256 KiB and more are cached when freed, in multiples of 64 KiB
// below 4 MiB (so that near sizes share blocks). Smaller ones go to malloc,
// whose own free lists serve them well.
constexpr size_t kCachedMin = size_t{256} << 10, kCachedStep = size_t{64} << 10;
bool is_large(size_t bytes) { return bytes >= 2 * kHuge; }
bool is_cached(size_t bytes) { return bytes >= kCachedMin; }

size_t round_up(size_t bytes, size_t step) { return (bytes + step - 1) / step * step; }

size_t block_bytes(size_t numel) {
  const size_t bytes = std::max<size_t>(64, round_up(numel * sizeof(float), 64));
  return is_large(bytes) ? round_up(bytes, kHuge) : is_cached(bytes) ? round_up(bytes, kCachedStep) : bytes;
}

// Freed blocks of 256 KiB and more, kept by size and handed out again: a
// training loop allocates the same activation sizes at every step, and a
// reused block is already faulted in (fresh ones cost a ResNet-20 training
// step at batch 128 about 10,000 faults and 6% of its time; blocks between
// 256 KiB and 4 MiB, left to malloc, which returned them to the OS and
// faulted them in again as huge pages, another 15%). Blocks match only
// their exact rounded size. At most limit_ bytes are kept; a miss that
// finds the cache full first returns the oldest blocks to the OS, so sizes a
// program stopped using do not pile up.
class BlockCache {
 public:
  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = blocks_.begin(); it != blocks_.end(); ++it)
      if (it->second == bytes) {
        void* p = it->first;
        blocks_.erase(it);
        cached_ -= bytes;
        return p;
      }
    while (!blocks_.empty() && cached_ + bytes > limit_) release_oldest();
    return nullptr;
  }
  // Keeps p for reuse, or frees it when it would not fit under the limit.
  void put(void* p, size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cached_ + bytes <= limit_) {
        blocks_.emplace_back(p, bytes);
        cached_ += bytes;
        return;
      }
    }
    std::free(p);
  }
  void release_all() {
    std::lock_guard<std::mutex> lock(mu_);
    while (!blocks_.empty()) release_oldest();
  }
  size_t cached() {
    std::lock_guard<std::mutex> lock(mu_);
    return cached_;
  }
  size_t limit() {
    std::lock_guard<std::mutex> lock(mu_);
    return limit_;
  }
  void set_limit(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = bytes;
    while (!blocks_.empty() && cached_ > limit_) release_oldest();
  }

 private:
  void release_oldest() {  // mu_ held
    std::free(blocks_.front().first);
    cached_ -= blocks_.front().second;
    blocks_.pop_front();
  }
  std::mutex mu_;
  std::list<std::pair<void*, size_t>> blocks_;  // oldest first
  size_t cached_ = 0, limit_ = size_t{1} << 30;
};

// Never destroyed: storages may be freed during static destruction.
BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;
  return *cache;
}

}  // namespace

size_t cached_block_bytes() { return block_cache().cached(); }
size_t block_cache_limit() { return block_cache().limit(); }
void set_block_cache_limit(size_t bytes) { block_cache().set_limit(bytes); }
void release_cached_blocks() { block_cache().release_all(); }

std::shared_ptr<Storage> Storage::allocate(size_t numel, Device device) {
  CONVCORE_CHECK_VALUE(device == Device::CPU, "device: only 'cpu' storage exists in this build");
  const size_t bytes = block_bytes(numel);
  const bool huge = is_large(bytes);
  void* p = is_cached(bytes) ? block_cache().take(bytes) : nullptr;
  if (!p) {
    p = std::aligned_alloc(huge ? kHuge : 64, bytes);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (huge) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  }
  return std::shared_ptr<Storage>(new Storage(static_cast<float*>(p), numel, device, nullptr));
}

std::shared_ptr<Storage> Storage::wrap(float* data, size_t numel, std::shared_ptr<void> owner) {
  return std::shared_ptr<Storage>(new Storage(data, numel, Device::CPU, std::move(owner)));
}

Storage::~Storage() {
  if (owner_) return;
  const size_t bytes = block_bytes(numel_);
  if (is_cached(bytes))
    block_cache().put(data_, bytes);
  else
    std::free(data_);
}

}  // namespace convcore
