// Small helpers shared by the layer ops (activation, softmax, norms,
// dropout, linear, losses): argument checks that name the argument, and the
// chunked elementwise loop.
#pragma once

#include <algorithm>
#include <cstdint>

#include "convcore/error.h"
#include "convcore/tensor.h"
#include "runtime/parallel.h"

namespace convcore::layers {

// Elements per parallel chunk of an elementwise op: below this, a thread
// costs more than it saves.
constexpr int64_t kElementwiseGrain = 16384;

// f(lo, hi) over [0, n) in fixed chunks, spread over the threads.
template <class F>
void for_chunks(int64_t n, const F& f) {
  const int64_t chunks = (n + kElementwiseGrain - 1) / kElementwiseGrain;
  parallel_for(0, chunks, [&](int64_t c0, int64_t c1, int) {
    f(c0 * kElementwiseGrain, std::min(n, c1 * kElementwiseGrain));
  });
}

inline void check_tensor(const Tensor& t, const char* op, const char* arg) {
  CONVCORE_CHECK_VALUE(t.defined(), op, ": ", arg, " is an undefined tensor");
  CONVCORE_CHECK_TYPE(t.device() == Device::CPU, op, ": ", arg, " must be a CPU tensor");
}

inline void check_optional(const Tensor& t, const char* op, const char* arg) {
  if (t.defined()) check_tensor(t, op, arg);
}

// `t` must have exactly `shape`.
inline void check_same_shape(const Tensor& t, const Shape& shape, const char* op, const char* arg,
                             const char* what) {
  check_tensor(t, op, arg);
  CONVCORE_CHECK_VALUE(t.shape() == shape, op, ": ", arg, " must have the shape of ", what, " ",
                       shape.str(), ", got ", t.shape().str());
}

// A [C] parameter (weight, bias, running statistics), when given.
inline void check_channel_vector(const Tensor& t, int64_t C, const char* op, const char* arg) {
  if (!t.defined()) return;
  check_tensor(t, op, arg);
  CONVCORE_CHECK_VALUE(t.ndim() == 1 && t.size(0) == C, op, ": ", arg,
                       " must have shape [", C, "] (one value per channel), got ", t.shape().str());
}

// dim in [-ndim, ndim) -> [0, ndim); a 0-d tensor accepts 0 and -1.
inline int normalize_dim(int64_t dim, int ndim, const char* op) {
  const int n = ndim == 0 ? 1 : ndim;
  CONVCORE_CHECK_VALUE(dim >= -n && dim < n, op, ": dim ", dim, " is out of range for a tensor of ",
                       ndim, " dimension", ndim == 1 ? "" : "s", " (expected -", n, " <= dim < ", n,
                       ")");
  return static_cast<int>(dim < 0 ? dim + n : dim);
}

}  // namespace convcore::layers

namespace convcore::layers {

// f(lo, hi) over [0, units) where one unit costs about `unit_work` element
// operations: as many chunks as the total work fills (kElementwiseGrain
// each), at most one per unit, so small problems stay on one thread.
template <class F>
void parallel_units(int64_t units, int64_t unit_work, const F& f) {
  if (units <= 0) return;
  const int64_t total = units * std::max<int64_t>(unit_work, 1);
  const int64_t chunks = std::min(units, std::max<int64_t>(1, total / kElementwiseGrain));
  parallel_for(0, chunks, [&](int64_t c0, int64_t c1, int) {
    f(units * c0 / chunks, units * c1 / chunks);
  });
}

// A tensor's shape seen as [outer, size(dim), inner].
struct DimSplit {
  int64_t outer = 1, n = 1, inner = 1;
};
inline DimSplit split_at(const Shape& s, int dim) {
  DimSplit d;
  if (s.ndim() == 0) return d;
  for (int i = 0; i < dim; ++i) d.outer *= s[i];
  d.n = s[dim];
  for (int i = dim + 1; i < s.ndim(); ++i) d.inner *= s[i];
  return d;
}

}  // namespace convcore::layers
