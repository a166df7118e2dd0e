// AVX-512F GEMM micro-kernel, 12 rows x 32 columns: twenty-four zmm
// accumulators, two loads of B and twelve broadcasts of A per step of k.
// A comes packed ([kc][12]) or as rows of a row-major matrix (unpacked).
#include <immintrin.h>

#include <algorithm>

#include "kernels/kernels.h"

namespace convcore::kernels {

namespace {
template <bool kPacked>
inline void tile_12x32(int64_t kc, const float* a, int64_t lda, int rows, const float* b,
                       float* c, int64_t ldc, bool accumulate) {
  // The row loops are unrolled before GCC's scalar replacement runs, so the
  // accumulator array lives in registers; left to -O3 alone, GCC 12 stored
  // every accumulator back to the stack on each step of k (half speed).
  constexpr int MR = 12;
  // C's tile is read (accumulate) and written only after the k loop; asking
  // for its lines now hides their cache misses behind the loop.
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 31), _MM_HINT_T0);
  }
  // Row i's value at step p: a[p * MR + i] packed, row[i][p] unpacked.
  const float* row[MR];
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) row[i] = kPacked ? a + i : a + std::min(i, rows - 1) * lda;
  constexpr int64_t step = kPacked ? MR : 1;
  __m512 acc[MR][2];
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, b += 32) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    CONVCORE_UNROLL for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(row[i][p * step]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  CONVCORE_UNROLL for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
      acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, acc[i][0]);
    _mm512_storeu_ps(ci + 16, acc[i][1]);
  }
}
}  // namespace

void sgemm_kernel_12x32_avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                               bool accumulate) {
  tile_12x32<true>(kc, a, 0, 12, b, c, ldc, accumulate);
}

void sgemm_rows_kernel_12x32_avx512(int64_t kc, const float* a, int64_t lda, int rows,
                                    const float* b, float* c, int64_t ldc, bool accumulate) {
  tile_12x32<false>(kc, a, lda, rows, b, c, ldc, accumulate);
}

}  // namespace convcore::kernels
