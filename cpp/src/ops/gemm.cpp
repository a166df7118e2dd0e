// Strided packers and the strided sgemm entry point.
#include "ops/gemm.h"

namespace convcore {

void StridedPackA::operator()(int64_t i0, int64_t m, int64_t p0, int64_t k, int MR,
                              float* dst) const {
  for (int64_t s = 0; s < m; s += MR, dst += k * MR) {
    const int64_t rows = std::min<int64_t>(MR, m - s);
    for (int64_t i = 0; i < rows; ++i) {
      const float* src = p + (i0 + s + i) * rs + p0 * cs;
      for (int64_t q = 0; q < k; ++q) dst[q * MR + i] = src[q * cs];
    }
    for (int64_t i = rows; i < MR; ++i)
      for (int64_t q = 0; q < k; ++q) dst[q * MR + i] = 0.0f;
  }
}

void StridedPackB::operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR,
                              float* dst) const {
  for (int64_t s = 0; s < n; s += NR, dst += k * NR) {
    const int64_t cols = std::min<int64_t>(NR, n - s);
    if (cs == 1) {  // rows of B are contiguous: copy runs
      for (int64_t q = 0; q < k; ++q) {
        const float* src = p + (p0 + q) * rs + (j0 + s);
        float* d = dst + q * NR;
        for (int64_t j = 0; j < cols; ++j) d[j] = src[j];
        for (int64_t j = cols; j < NR; ++j) d[j] = 0.0f;
      }
    } else {  // columns contiguous (B transposed): walk each column
      for (int64_t j = 0; j < cols; ++j) {
        const float* src = p + p0 * rs + (j0 + s + j) * cs;
        for (int64_t q = 0; q < k; ++q) dst[q * NR + j] = src[q * rs];
      }
      for (int64_t j = cols; j < NR; ++j)
        for (int64_t q = 0; q < k; ++q) dst[q * NR + j] = 0.0f;
    }
  }
}

void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa,
           const float* B, int64_t rsb, int64_t csb, float* C, int64_t ldc, bool accumulate) {
  const kernels::KernelTable& kt = kernels::active();
  gemm_parallel(kt, M, N, K, StridedPackA{A, rsa, csa}, StridedPackB{B, rsb, csb}, C, ldc,
                accumulate);
}

}  // namespace convcore
