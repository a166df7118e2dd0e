// The one threading primitive the ops use: split [begin, end) into one
// contiguous chunk per OpenMP thread. The split depends only on the range and
// the thread count, so results are reproducible for a given thread count.
// Nested calls run serially on the calling thread.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace convcore {

template <class F>  // f(int64_t lo, int64_t hi, int thread)
void parallel_for(int64_t begin, int64_t end, F&& f) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int threads = omp_in_parallel() ? 1 : static_cast<int>(std::min<int64_t>(omp_get_max_threads(), n));
  if (threads <= 1) {
    f(begin, end, 0);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t lo = begin + n * t / nt, hi = begin + n * (t + 1) / nt;
    if (lo < hi) f(lo, hi, t);
  }
}

// Threads parallel_for would use for a range of n items.
inline int parallel_threads(int64_t n) {
  if (omp_in_parallel()) return 1;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), n)));
}

}  // namespace convcore
