// Blocked single-precision GEMM (the BLIS loop nest) over our micro-kernels.
//
//   C[M, N] (row stride ldc) = (accumulate ? C : 0) + A[M, K] * B[K, N]
//
// A and B are not matrices here but *packers*: callables that copy a block
// of the operand into the micro-kernel's panel layout (or, for A, a
// PrepackedA packed once beforehand, or an InPlaceA read without packing).
// Strided matrices are one kind of packer; convolution passes im2col
// packers that read the image directly, so no im2col matrix is ever
// materialised (implicit GEMM).
//
//   pack_a(i0, m, p0, k, MR, dst): rows [i0, i0+m), cols [p0, p0+k) of A as
//     ceil(m/MR) slivers, each [k][MR], rows past m zero-filled.
//   pack_b(p0, k, j0, n, NR, dst): rows [p0, p0+k), cols [j0, j0+n) of B as
//     ceil(n/NR) slivers, each [k][NR], columns past n zero-filled.
//
// gemm_serial runs on the calling thread and uses its packing workspaces.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/kernels.h"
#include "runtime/workspace.h"

namespace convcore {

struct GemmBlocking {
  int64_t mc, kc, nc;  // block sizes: multiples of MR, any, multiple of NR
};

inline GemmBlocking gemm_blocking(const kernels::KernelTable& kt) {
  // A block (mc x kc) stays in L2, a B sliver (kc x NR) in L1, the B panel
  // (kc x nc) in L2/L3.
  return {kt.sgemm_mr * 16, 256, kt.sgemm_nr * 32};
}

// An A operand packed once, whole, in gemm_serial's block order, so that a
// matrix reused by many GEMMs (convolution weights) is packed only once.
// Block (ic, pc) of kc columns starts at base + pc * m_padded + ic * kc.
struct PrepackedA {
  const float* base;
  int64_t m_padded;        // M rounded up to a multiple of MR
  int64_t row_offset = 0;  // first row this view starts at (a multiple of MR)
  const float* block(int64_t ic, int64_t pc, int64_t kc) const {
    return base + pc * m_padded + (row_offset + ic) * kc;
  }
};

// An A operand read in place, row-major with row stride lda: no packing,
// for an A used by so few tiles of C that packing it would cost more than
// the micro-kernel's strided reads (kt.sgemm_rows).
struct InPlaceA {
  const float* p;
  int64_t lda;
};

inline int64_t prepacked_a_size(const kernels::KernelTable& kt, int64_t M, int64_t K) {
  return (M + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr * K;
}

// Packs all of A [M, K] into dst (prepacked_a_size floats).
template <class PackA>
PrepackedA prepack_a(const kernels::KernelTable& kt, int64_t M, int64_t K, const PackA& pack_a,
                     float* dst) {
  const int64_t kc_block = gemm_blocking(kt).kc;
  const int64_t m_padded = (M + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr;
  for (int64_t pc = 0; pc < K; pc += kc_block)
    pack_a(0, M, pc, std::min(kc_block, K - pc), kt.sgemm_mr, dst + pc * m_padded);
  return {dst, m_padded, 0};
}

// prepack_a for `groups` matrices A_g [M, K] (pack_of(g) gives A_g's packer)
// stored one after another, every (group, k-block) packed on its own thread.
template <class PackOf>
void prepack_a_groups(const kernels::KernelTable& kt, int64_t groups, int64_t M, int64_t K,
                      const PackOf& pack_of, float* dst);

template <class PackA, class PackB>
void gemm_serial(const kernels::KernelTable& kt, int64_t M, int64_t N, int64_t K, PackA&& pack_a,
                 PackB&& pack_b, float* C, int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, 0.0f);
    return;
  }
  const int MR = kt.sgemm_mr, NR = kt.sgemm_nr;
  const GemmBlocking blk = gemm_blocking(kt);
  using A = std::decay_t<PackA>;
  constexpr bool kPacked = !std::is_same_v<A, InPlaceA>;
  float* abuf = std::is_same_v<A, PrepackedA> || !kPacked
                    ? nullptr
                    : thread_workspace(kWsPackA, static_cast<size_t>(blk.mc * blk.kc));
  float* bbuf = thread_workspace(kWsPackB, static_cast<size_t>(blk.kc * blk.nc));
  alignas(64) float tile[32 * 32];  // edge tiles; MR, NR <= 32

  for (int64_t jc = 0; jc < N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, N - jc);
    for (int64_t pc = 0; pc < K; pc += blk.kc) {
      const int64_t kc = std::min(blk.kc, K - pc);
      const bool acc = accumulate || pc > 0;
      pack_b(pc, kc, jc, nc, NR, bbuf);
      for (int64_t ic = 0; ic < M; ic += blk.mc) {
        const int64_t mc = std::min(blk.mc, M - ic);
        const float* ablock = abuf;
        if constexpr (std::is_same_v<A, PrepackedA>)
          ablock = pack_a.block(ic, pc, kc);
        else if constexpr (kPacked)
          pack_a(ic, mc, pc, kc, MR, abuf);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t n = std::min<int64_t>(NR, nc - jr);
          const float* b = bbuf + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t m = std::min<int64_t>(MR, mc - ir);
            float* c = C + (ic + ir) * ldc + jc + jr;
            const auto tile_of = [&](float* dst, int64_t ld, bool add) {
              if constexpr (kPacked)
                kt.sgemm(kc, ablock + ir * kc, b, dst, ld, add);
              else
                kt.sgemm_rows(kc, pack_a.p + (ic + ir) * pack_a.lda + pc, pack_a.lda, static_cast<int>(m), b,
                              dst, ld, add);
            };
            if (m == MR && n == NR) {
              tile_of(c, ldc, acc);
            } else {
              tile_of(tile, NR, false);
              for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j)
                  c[i * ldc + j] = (acc ? c[i * ldc + j] : 0.0f) + tile[i * NR + j];
            }
          }
        }
      }
    }
  }
}

// Packers for ordinary matrices: element (i, j) at p[i * rs + j * cs].
struct StridedPackA {
  const float* p;
  int64_t rs, cs;
  void operator()(int64_t i0, int64_t m, int64_t p0, int64_t k, int MR, float* dst) const;
};
struct StridedPackB {
  const float* p;
  int64_t rs, cs;
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const;
};

// C = (accumulate ? C : 0) + A B for strided A [M, K] and B [K, N]; uses all
// threads when called outside a parallel region.
void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa,
           const float* B, int64_t rsb, int64_t csb, float* C, int64_t ldc, bool accumulate);

// Runs gemm_serial on `threads` threads, each on its own slab of C's columns
// (or rows, when N is too narrow to split). Packers take absolute indices.
template <class PackA, class PackB>
void gemm_parallel(const kernels::KernelTable& kt, int64_t M, int64_t N, int64_t K,
                   const PackA& pack_a, const PackB& pack_b, float* C, int64_t ldc,
                   bool accumulate);

}  // namespace convcore

#include "ops/gemm_parallel.inl"
