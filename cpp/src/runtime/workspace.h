// Per-thread scratch memory. Each thread keeps one growing, 64-byte aligned
// buffer per slot for its whole life, so hot loops stop allocating after the
// first call at a given size. Two users of the same slot on one thread must
// not overlap in time: each op documents the slots it takes.
#pragma once

#include <cstddef>

namespace convcore {

enum WorkspaceSlot : int {
  kWsPackA = 0,  // GEMM packed A block
  kWsPackB,      // GEMM packed B panel
  kWsCol,        // im2col / col2im buffer
  kWsReduce,     // per-thread partial results (weight gradients)
  kWsWeights,    // prepacked weights, written by the calling thread, read by all
  kWsPad,        // zero-padded copies of input images
  kWsStage,      // rows staged for a transpose while packing (im2col.cpp)
  kWsSlots
};

float* thread_workspace(WorkspaceSlot slot, size_t numel);

}  // namespace convcore
