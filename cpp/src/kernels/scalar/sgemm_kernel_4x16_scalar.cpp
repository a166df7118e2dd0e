// Portable GEMM micro-kernel: the reference every SIMD micro-kernel is tested
// against, and the fallback on CPUs without AVX2 (the compiler vectorises the
// inner loop with whatever the baseline target offers). A comes packed
// ([kc][4]) or as rows of a row-major matrix (unpacked).
#include <algorithm>

#include "kernels/kernels.h"

namespace convcore::kernels {

namespace {
template <bool kPacked>
void tile_4x16(int64_t kc, const float* a, int64_t lda, int rows, const float* b, float* c,
               int64_t ldc, bool accumulate) {
  constexpr int MR = 4, NR = 16;
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p, b += NR)
    for (int i = 0; i < MR; ++i) {
      const float ai = kPacked ? a[p * MR + i] : a[std::min(i, rows - 1) * lda + p];
      for (int j = 0; j < NR; ++j) acc[i][j] += ai * b[j];
    }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
}
}  // namespace

void sgemm_kernel_4x16_scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                              bool accumulate) {
  tile_4x16<true>(kc, a, 0, 4, b, c, ldc, accumulate);
}

void sgemm_rows_kernel_4x16_scalar(int64_t kc, const float* a, int64_t lda, int rows, const float* b,
                                   float* c, int64_t ldc, bool accumulate) {
  tile_4x16<false>(kc, a, lda, rows, b, c, ldc, accumulate);
}

}  // namespace convcore::kernels
