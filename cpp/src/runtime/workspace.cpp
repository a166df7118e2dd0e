#include "runtime/workspace.h"

#include <cstdlib>
#include <algorithm>
#include <new>

namespace convcore {

namespace {
struct Buffer {
  float* data = nullptr;
  size_t capacity = 0;
  ~Buffer() { std::free(data); }
};
thread_local Buffer t_buffers[kWsSlots];
}  // namespace

float* thread_workspace(WorkspaceSlot slot, size_t numel) {
  Buffer& b = t_buffers[slot];
  if (numel > b.capacity) {
    // Grow by at least 1.5x so a sequence of slightly larger shapes
    // does not reallocate every time.
    size_t cap = std::max(numel, b.capacity + b.capacity / 2);
    size_t bytes = ((cap * sizeof(float) + 63) / 64) * 64;
    void* p = std::aligned_alloc(64, bytes);
    if (!p) throw std::bad_alloc();
    std::free(b.data);
    b.data = static_cast<float*>(p);
    b.capacity = cap;
  }
  return b.data;
}

}  // namespace convcore
