// AVX2+FMA GEMM micro-kernel, 6 rows x 16 columns: twelve ymm accumulators,
// two loads of B and six broadcasts of A per step of k. A comes packed
// ([kc][6]) or as rows of a row-major matrix (unpacked).
#include <immintrin.h>

#include <algorithm>

#include "kernels/kernels.h"

namespace convcore::kernels {

namespace {
template <bool kPacked>
inline void tile_6x16(int64_t kc, const float* a, int64_t lda, int rows, const float* b, float* c,
                      int64_t ldc, bool accumulate) {
  // The row loops are unrolled before GCC's scalar replacement runs, so the
  // accumulator array lives in registers; left to -O3 alone, GCC 12 stored
  // every accumulator back to the stack on each step of k (half speed).
  constexpr int MR = 6;
  // Row i's value at step p: a[p * MR + i] packed, row[i][p] unpacked.
  const float* row[MR];
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) row[i] = kPacked ? a + i : a + std::min(i, rows - 1) * lda;
  constexpr int64_t step = kPacked ? MR : 1;
  __m256 acc[MR][2];
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, b += 16) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    CONVCORE_UNROLL for (int i = 0; i < MR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(row[i] + p * step);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, acc[i][0]);
    _mm256_storeu_ps(ci + 8, acc[i][1]);
  }
}
}  // namespace

void sgemm_kernel_6x16_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                            bool accumulate) {
  tile_6x16<true>(kc, a, 0, 6, b, c, ldc, accumulate);
}

void sgemm_rows_kernel_6x16_avx2(int64_t kc, const float* a, int64_t lda, int rows, const float* b,
                                 float* c, int64_t ldc, bool accumulate) {
  tile_6x16<false>(kc, a, lda, rows, b, c, ldc, accumulate);
}

}  // namespace convcore::kernels
