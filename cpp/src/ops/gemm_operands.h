// GEMM operands over batches of images, without copying them into matrices.
//
// Convolution sees its tensors as matrices whose rows are channels (or
// im2col taps) and whose columns are output positions q = n * HW + hw running
// across the images of the batch. A *source* reads a run of one row:
//
//   source.read_row(r, q0, count, dst, seg, seg_stride, elem_stride)
//     writes row r, positions [q0, q0 + count), element t to
//     dst[(t / seg) * seg_stride + (t % seg) * elem_stride]
//
// and two packers turn any source into the panels the micro-kernels read:
//   PositionsAsColumns: B[k = row][n = position]   (slivers of NR positions)
//   RowsAsSlivers:      A[m = row][k = position], or B[k = position][n = row]
//                       (slivers of MR or NR rows, positions along k)
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/kernels.h"

namespace convcore {

// Rows of an NCHW-shaped batch: element (r, q) of image n = q / plane at
// base[n * image_stride + row_offset(r) + q % plane], where row_offset(r) is
// r * plane, or row_offsets[r] when given (the shifted rows of a padded image,
// see conv2d_forward.cpp).
struct PlaneSource {
  const float* base;
  int64_t plane, image_stride;
  const int64_t* row_offsets = nullptr;
  void read_row(int64_t r, int64_t q0, int64_t count, float* dst, int64_t seg, int64_t seg_stride,
                int64_t elem_stride) const {
    const int64_t row = row_offsets ? row_offsets[r] : r * plane;
    int64_t n = q0 / plane, hw = q0 % plane;
    for (int64_t t = 0; t < count;) {
      const float* src = base + n * image_stride + row + hw;
      const int64_t run_end = t + std::min(count - t, plane - hw);
      while (t < run_end) {  // split where dst segments end
        const int64_t in_seg = t % seg, piece = std::min(run_end - t, seg - in_seg);
        float* d = dst + (t / seg) * seg_stride + in_seg * elem_stride;
        if (elem_stride == 1)
          std::copy(src, src + piece, d);
        else
          for (int64_t i = 0; i < piece; ++i) d[i * elem_stride] = src[i];
        src += piece;
        t += piece;
      }
      ++n;
      hw = 0;
    }
  }
  // Rows [r0, r0 + m) (evenly spaced: no row_offsets) at positions
  // [q0, q0 + count), as dst[t * ld + i] for position t of row i: one
  // register-transpose call per image the positions touch.
  void read_rows_transposed(int64_t r0, int64_t m, int64_t q0, int64_t count, float* dst,
                            int64_t ld, kernels::TransposeKernel transpose) const {
    int64_t n = q0 / plane, hw = q0 % plane;
    for (int64_t t = 0; t < count; ++n, hw = 0) {
      const int64_t piece = std::min(count - t, plane - hw);
      transpose(m, piece, base + n * image_stride + r0 * plane + hw, plane, dst + t * ld, ld);
      t += piece;
    }
  }
};

// A sliver is [k][W]; when only `used` of its W rows or columns hold data,
// the rest are zeroed so the micro-kernel's full-width tile adds nothing.
inline void zero_sliver_tail(float* sliver, int64_t k, int W, int64_t used) {
  if (used < W)
    for (int64_t q = 0; q < k; ++q) std::fill(sliver + q * W + used, sliver + (q + 1) * W, 0.0f);
}

// B[k][n] = source row (p0 + k), position (j0 + n).
template <class Source>
struct PositionsAsColumns {
  Source src;
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const {
    for (int64_t q = 0; q < k; ++q) src.read_row(p0 + q, j0, n, dst + q * NR, NR, k * NR, 1);
    if (const int64_t tail = n % NR) zero_sliver_tail(dst + (n / NR) * k * NR, k, NR, tail);
  }
};

// Slivers of W rows (W = MR for an A operand, NR for a B operand), each
// [k][W], from source rows [r0, r0 + m) read along positions [q0, q0 + k).
// With a transpose kernel, plane rows go through it (a scalar strided copy
// was most of a long-reduction weight gradient: 1x1 at batch 1).
template <class Source>
struct RowsAsSlivers {
  Source src;
  kernels::TransposeKernel transpose = nullptr;
  void pack(int64_t r0, int64_t m, int64_t q0, int64_t k, int W, float* dst) const {
    for (int64_t s = 0; s < m; s += W, dst += k * W) {
      const int64_t rows = std::min<int64_t>(W, m - s);
      bool done = false;
      if constexpr (std::is_same_v<Source, PlaneSource>) {
        if (transpose && !src.row_offsets) {
          src.read_rows_transposed(r0 + s, rows, q0, k, dst, W, transpose);
          done = true;
        }
      }
      if (!done)
        for (int64_t i = 0; i < rows; ++i) src.read_row(r0 + s + i, q0, k, dst + i, k, 0, W);
      zero_sliver_tail(dst, k, W, rows);
    }
  }
  // As an A operand: rows are m, positions are k.
  void operator()(int64_t i0, int64_t m, int64_t p0, int64_t k, int MR, float* dst) const {
    pack(i0, m, p0, k, MR, dst);
  }
};

// The same packer used as a B operand: B[k = position][n = row].
template <class Source>
struct RowsAsColumnsTransposed {
  RowsAsSlivers<Source> rows;
  void operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const {
    rows.pack(j0, n, p0, k, NR, dst);
  }
};

}  // namespace convcore
