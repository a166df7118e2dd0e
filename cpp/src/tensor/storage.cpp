// Storage allocation: 64-byte aligned so that kernels' aligned stores and
// cache lines line up for tensors convcore creates itself.
#include <cstdlib>
#include <new>

#include "convcore/error.h"
#include "convcore/tensor.h"

namespace convcore {

const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

std::shared_ptr<Storage> Storage::allocate(size_t numel, Device device) {
  CONVCORE_CHECK_VALUE(device == Device::CPU, "device: only 'cpu' storage exists in this build");
  size_t bytes = ((numel * sizeof(float) + 63) / 64) * 64;
  if (bytes == 0) bytes = 64;
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  return std::shared_ptr<Storage>(new Storage(static_cast<float*>(p), numel, device, nullptr));
}

std::shared_ptr<Storage> Storage::wrap(float* data, size_t numel, std::shared_ptr<void> owner) {
  return std::shared_ptr<Storage>(new Storage(data, numel, Device::CPU, std::move(owner)));
}

Storage::~Storage() {
  if (!owner_) std::free(data_);
}

}  // namespace convcore
