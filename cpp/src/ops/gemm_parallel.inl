// gemm_parallel: see gemm.h.
#pragma once

#include "runtime/parallel.h"

namespace convcore {

template <class PackA, class PackB>
void gemm_parallel(const kernels::KernelTable& kt, int64_t M, int64_t N, int64_t K,
                   const PackA& pack_a, const PackB& pack_b, float* C, int64_t ldc,
                   bool accumulate) {
  const int NR = kt.sgemm_nr, MR = kt.sgemm_mr;
  const int64_t col_units = (N + NR - 1) / NR, row_units = (M + MR - 1) / MR;
  // Split the wider dimension, in whole micro-tiles, so slabs do not share tiles.
  if (col_units >= row_units || col_units >= 4 * parallel_threads(col_units)) {
    parallel_for(0, col_units, [&](int64_t lo, int64_t hi, int) {
      const int64_t j0 = lo * NR, j1 = std::min(N, hi * NR);
      auto sub_b = [&](int64_t p0, int64_t k, int64_t jj, int64_t n, int nr, float* dst) {
        pack_b(p0, k, j0 + jj, n, nr, dst);
      };
      gemm_serial(kt, M, j1 - j0, K, pack_a, sub_b, C + j0, ldc, accumulate);
    });
  } else {
    parallel_for(0, row_units, [&](int64_t lo, int64_t hi, int) {
      const int64_t i0 = lo * MR, i1 = std::min(M, hi * MR);
      auto sub_a = [&](int64_t ii, int64_t m, int64_t p0, int64_t k, int mr, float* dst) {
        pack_a(i0 + ii, m, p0, k, mr, dst);
      };
      gemm_serial(kt, i1 - i0, N, K, sub_a, pack_b, C + i0 * ldc, ldc, accumulate);
    });
  }
}

}  // namespace convcore

namespace convcore {

template <class PackOf>
void prepack_a_groups(const kernels::KernelTable& kt, int64_t groups, int64_t M, int64_t K,
                      const PackOf& pack_of, float* dst) {
  const int64_t kc_block = gemm_blocking(kt).kc, blocks = (K + kc_block - 1) / kc_block;
  const int64_t m_padded = (M + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr;
  const int64_t per_group = prepacked_a_size(kt, M, K);
  parallel_for(0, groups * blocks, [&](int64_t lo, int64_t hi, int) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t grp = u / blocks, pc = (u % blocks) * kc_block;
      pack_of(grp)(0, M, pc, std::min(kc_block, K - pc), kt.sgemm_mr, dst + grp * per_group + pc * m_padded);
    }
  });
}

}  // namespace convcore
