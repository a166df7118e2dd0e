// Helpers shared by the loss ops: deterministic sums and the shape of the
// reduced result.
#pragma once

#include <vector>

#include "convcore/ops/loss.h"
#include "ops/layer_common.h"

namespace convcore::losses {

// sum over [0, n) of f(lo, hi) (a double), f run on fixed chunks in
// parallel and the chunk results added in chunk order: the same value for
// every thread count.
template <class F>
double fixed_chunk_sum(int64_t n, const F& f) {
  const int64_t grain = layers::kElementwiseGrain;
  const int64_t chunks = (n + grain - 1) / grain;
  if (chunks <= 1) return n > 0 ? f(0, n) : 0.0;
  std::vector<double> part(static_cast<size_t>(chunks), 0.0);
  parallel_for(0, chunks, [&](int64_t c0, int64_t c1, int) {
    for (int64_t c = c0; c < c1; ++c)
      part[static_cast<size_t>(c)] = f(c * grain, std::min(n, (c + 1) * grain));
  });
  double s = 0.0;
  for (double v : part) s += v;
  return s;
}

// The loss from the value(i) of each of shape's elements (double): those
// values for Reduction::None, else their fixed-order sum, or the sum over
// mean_denominator for Mean (0/0 is NaN, as PyTorch).
template <class Value>
Tensor reduce_values(const Shape& shape, Reduction r, const Value& value, double mean_denominator) {
  const int64_t n = shape.numel();
  if (r == Reduction::None) {
    Tensor out = Tensor::empty(shape);
    float* o = out.data();
    layers::for_chunks(n, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = static_cast<float>(value(i));
    });
    return out;
  }
  const double total = fixed_chunk_sum(n, [&](int64_t lo, int64_t hi) {
    double acc = 0.0;
    for (int64_t i = lo; i < hi; ++i) acc += value(i);
    return acc;
  });
  return Tensor::scalar(static_cast<float>(r == Reduction::Sum ? total : total / mean_denominator));
}

// The loss tensor: the per-sample values for none, else a 0-d tensor.
inline Shape reduced_shape(Reduction r, const Shape& per_sample) {
  return r == Reduction::None ? per_sample : Shape{};
}

inline void check_grad_output(const Tensor& g, Reduction r, const Shape& per_sample,
                              const char* op) {
  layers::check_same_shape(g, reduced_shape(r, per_sample), op, "grad_output",
                           r == Reduction::None ? "the unreduced loss" : "the reduced loss");
}

}  // namespace convcore::losses
