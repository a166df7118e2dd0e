// Storage allocation: 64-byte aligned so that kernels' aligned stores and
// cache lines line up for tensors convcore creates itself.
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "convcore/error.h"
#include "convcore/tensor.h"

namespace convcore {

const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

std::shared_ptr<Storage> Storage::allocate(size_t numel, Device device) {
  CONVCORE_CHECK_VALUE(device == Device::CPU, "device: only 'cpu' storage exists in this build");
  // Large blocks come fresh from the OS on every allocation, and faulting
  // them in 4 KiB at a time cost more than the work on them (a 100 MB relu
  // spent most of its time in page faults). Aligned to 2 MiB and marked for
  // transparent huge pages, they fault in 512 times fewer pieces.
  constexpr size_t kHuge = size_t{2} << 20;
  size_t align = 64, bytes = ((numel * sizeof(float) + 63) / 64) * 64;
  if (bytes == 0) bytes = 64;
  if (bytes >= 2 * kHuge) align = kHuge, bytes = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(align, bytes);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (align == kHuge) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  return std::shared_ptr<Storage>(new Storage(static_cast<float*>(p), numel, device, nullptr));
}

std::shared_ptr<Storage> Storage::wrap(float* data, size_t numel, std::shared_ptr<void> owner) {
  return std::shared_ptr<Storage>(new Storage(data, numel, Device::CPU, std::move(owner)));
}

Storage::~Storage() {
  if (!owner_) std::free(data_);
}

}  // namespace convcore
