// Portable GEMM micro-kernel: the reference every SIMD micro-kernel is tested
// against, and the fallback on CPUs without AVX2 (the compiler vectorises the
// inner loop with whatever the baseline target offers).
#include "kernels/kernels.h"

namespace convcore::kernels {

void sgemm_kernel_4x16_scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                              bool accumulate) {
  constexpr int MR = 4, NR = 16;
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
}

}  // namespace convcore::kernels
