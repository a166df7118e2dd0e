// The kernel dispatch table: every kernel that exists in one version per
// instruction set is reached through KernelTable, filled once per level in
// cpp/src/runtime/dispatch.cpp. Kernels are plain functions over raw
// pointers: no allocation, no argument checks (the ops check), no threads
// (the ops parallelise the loop around them).
//
// Kernel names follow <op>_kernel_<tile>_<isa>, e.g. sgemm_kernel_6x16_avx2.
#pragma once

#include <cstdint>

#include "convcore/runtime.h"

// Fully unrolls the loop that follows, early enough in GCC's pipeline that
// small arrays of vector accumulators indexed by its counter become registers.
#if defined(__clang__)
#define CONVCORE_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define CONVCORE_UNROLL _Pragma("GCC unroll 32")
#else
#define CONVCORE_UNROLL
#endif

namespace convcore::kernels {

// GEMM micro-kernel: one MR x NR tile of C.
//   a: [kc][MR] packed rows of A, b: [kc][NR] packed columns of B (64-byte aligned)
//   c: [MR][NR] tile with row stride ldc; c = (accumulate ? c : 0) + a^T b.
using SgemmMicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c,
                                  int64_t ldc, bool accumulate);
// The same tile with A unpacked: row i at a + i * lda (rows past `rows`, at
// A's edge, read row rows-1 again and their results are to be dropped). For
// an A used by few tiles of C, where packing it would cost more than reading
// it in place (the weights of a convolution at batch 1).
using SgemmRowsMicroKernel = void (*)(int64_t kc, const float* a, int64_t lda, int rows,
                                      const float* b, float* c, int64_t ldc, bool accumulate);

// Depthwise 2D convolution over one channel plane.
//   x: [H][W] input plane, w: [R][S] filter, y / dy: [OH][OW] output plane.
// Forward and weight gradient take a *pre-padded* x (pad_top = pad_left = 0)
// and read whole tiles of depthwise_cols output columns without bounds
// checks: W must be at least depthwise_padded_width(g, cols).
struct DepthwiseGeometry {
  int64_t H, W, OH, OW, R, S;
  int64_t stride_h, stride_w, pad_top, pad_left, dil_h, dil_w;
};
inline int64_t depthwise_padded_width(const DepthwiseGeometry& g, int64_t cols) {
  return ((g.OW + cols - 1) / cols * cols - 1) * g.stride_w + (g.S - 1) * g.dil_w + 1;
}
// y is overwritten.
using DepthwiseForwardKernel = void (*)(const DepthwiseGeometry& g, const float* x,
                                        const float* w, float bias, float* y);
// dx: [H][W], unpadded (pad_top / pad_left give the padding), accumulated into.
using DepthwiseBackwardDataKernel = void (*)(const DepthwiseGeometry& g, const float* dy,
                                             const float* w, float* dx);
// dw: [R][S], accumulated into; x pre-padded as for the forward kernel.
using DepthwiseBackwardWeightKernel = void (*)(const DepthwiseGeometry& g, const float* dy,
                                               const float* x, float* dw);

// Direct convolution tiles (direct_conv2d.inc): output channels along the
// lanes, in vectors of direct_nr; x a zero-padded image, tap i of the
// filter at x + off[i], consecutive positions sx apart.
//   forward: c[p][j] = sum_i x[off[i] + p*sx] * w[i][j] for p < positions,
//     j < vectors * nr (vectors 1, 2 or 4; 1 <= positions <= direct_max_tile / vectors),
//     w: [taps][vectors * nr], c: [positions][vectors * nr]
//   weight:  dw[t][j] += sum over rows r < rows, q < cols of
//              x[r*row_stride + off[t] + q*sx] * dyt[r*cols + q][j]
//     j < vectors * nr (vectors 1, 2 or 4; 1 <= taps <= direct_max_tile / vectors),
//     dyt: [rows*cols][vectors * nr], dw: [taps][vectors * nr]
using DirectForwardKernel = void (*)(int vectors, int positions, int64_t taps, const int64_t* off,
                                     const float* x, int64_t sx, const float* w, float* c);
// Rows mode (direct_conv2d.inc): output positions along the lanes, vectors
// (1-4) of direct_nr consecutive outputs of a row by `channels` output
// channels (channels * vectors <= direct_max_tile); x[j]: vector j's input
// at tap 0, tap i at x[j] + off[i] (stride 1);
//   y[j][k * ldy + l] = bias[k] + sum_i w[i][k] * x[j][off[i] + l]
// for k < kn <= channels, l < count[j] <= direct_nr; w: [taps][channels].
// Reads up to direct_nr - count[j] floats past each vector's last real input.
using DirectRowsKernel = void (*)(int vectors, int channels, int64_t taps, const int64_t* off,
                                  const float* const* x, const float* w, const float* bias,
                                  int kn, float* const* y, int64_t ldy, const int* count);
// Rows-mode weight gradient (direct_conv2d.inc): `channels` (KT <=
// direct_nr / 2) output channels by direct_max_tile / KT taps (TT), positions along the lanes; over
// `rows` rows of per_row vectors (the last of each with last_count real
// lanes), lane by lane
//   acc[t][k][l] += x[off[t] + r * ldx + v * nr + l] * dy[k * ld_k + r * ld_row + v * nr + l]
// acc: [TT][KT][direct_nr]. dy must be zero past each row's real lanes; x is
// read up to direct_nr - 1 floats past them (and masked there).
using DirectRowsWeightKernel = void (*)(int channels, int64_t rows, int64_t per_row,
                                        int last_count, const int64_t* off, const float* x,
                                        int64_t ldx, const float* dy, int64_t ld_row,
                                        int64_t ld_k, float* acc);
using DirectWeightKernel = void (*)(int vectors, int taps, int64_t rows, int64_t cols,
                                    int64_t row_stride, int64_t sx, const int64_t* off,
                                    const float* x, const float* dyt, float* dw);

// Winograd F(4x4, 3x3) tile transforms (winograd.inc), over winograd_lanes
// tiles (or filters) at once (the GEMM's NR); lane l of every row belongs to
// tile l.
//   filter: f: [9][lanes] 3x3 filters (row-major taps) -> u: [36][lanes] = G f G^T
//   input:  d: the 6x6 input patches, element (i, j) of lane l at
//           d[i * row_stride + j * lanes + l] ->
//           v[p * vstride + l] = (B^T d B)[p] for the 36 points p
//   output: m[p * mstride + l] (the 36 summed products) ->
//           y: [16][lanes] = A^T m A, the 4x4 output tiles
//   gather: lanes [0, count) of d: [size*size][lanes] (size 6: input
//           patches, 4: output-gradient tiles; count <= lanes) from count
//           tiles side by side in a zero-padded band: tile l's at src + 4*l,
//           rows row_stride apart
//   scatter: the 4x4 tiles of lanes [0, count) of y, plus bias, into rows
//           [0, rows) of an output plane: tile l at dst + 4*l, rows row_stride apart
// Weight gradient (F(3x3, 4x4) on the same points):
//   grad_output: e: output-gradient tiles, element (i, j) at e[i * row_stride + j * lanes + l]
//           -> y[p * ystride + l] = (A e A^T)[p]
//   dot: c[i * ldc + j] += sum over s < slivers, l < lanes of
//          a[s * a_step + i * lanes + l] * b[s * b_step + j * lanes + l]
//        for i < rows <= winograd_dot_rows, j < cols <= winograd_dot_cols
//   filter_grad: m[p * mstride + l] -> dw: [9][lanes] = G^T m G
using WinogradFilterKernel = void (*)(const float* f, float* u);
using WinogradInputKernel = void (*)(const float* d, int64_t row_stride, float* v, int64_t vstride);
using WinogradOutputKernel = void (*)(const float* m, int64_t mstride, float* y);
using WinogradGatherKernel = void (*)(const float* src, int64_t row_stride, int size, int count,
                                      float* d);
using WinogradScatterKernel = void (*)(const float* y, int count, int rows, float bias, float* dst,
                                       int64_t row_stride);
using WinogradDotKernel = void (*)(int rows, int cols, int64_t slivers, const float* a,
                                   int64_t a_step, const float* b, int64_t b_step, float* c,
                                   int64_t ldc);
using WinogradFilterGradKernel = void (*)(const float* m, int64_t mstride, float* dw);

// dst[j * ld_dst + i] = src[i * ld_src + j] for i < rows, j < cols
// (transpose.inc): the layout changes between NCHW planes and kernels that
// put channels or images along the lanes.
using TransposeKernel = void (*)(int64_t rows, int64_t cols, const float* src, int64_t ld_src,
                                 float* dst, int64_t ld_dst);

// One output row of a valid correlation (convcore::signal, correlate.inc):
//   y[o] = sum_{t < taps} sum_{j < KW} k[t][j] * x[t][o + j] for o in [0, OW), y overwritten
// x: taps input rows, each at least OW + KW - 1 long; k: taps kernel rows of KW.
using CorrelateRowKernel = void (*)(const float* const* x, const float* const* k, int64_t taps,
                                    int64_t KW, int64_t OW, float* y);
// Pooling windows over one D x H x W volume; 1-D and 2-D pooling use unit
// D (and H) with kernel, stride and dilation 1 and padding 0 there.
struct PoolWindow {
  int64_t D, H, W, OD, OH, OW;
  int64_t kd, kh, kw;  // kernel
  int64_t sd, sh, sw;  // stride
  int64_t pd, ph, pw;  // padding before (and after) each dim
  int64_t dd, dh, dw;  // dilation (1 for average pooling)
  bool count_include_pad;    // average: padding counts in the divisor
  int64_t divisor_override;  // average: 0, or the divisor of every window
};
// x: planes x [D][H][W] -> y: planes x [OD][OH][OW]. idx (may be null):
// planes x [OD][OH][OW], the flat index in its volume of each max, -1 for
// a window that holds no input element.
using MaxPoolForwardKernel = void (*)(const PoolWindow& g, int64_t planes, const float* x,
                                      float* y, int64_t* idx);
using AvgPoolForwardKernel = void (*)(const PoolWindow& g, int64_t planes, const float* x,
                                      float* y);
// dy: planes x [OD][OH][OW] -> dx: planes x [D][H][W] (overwritten).
using AvgPoolBackwardKernel = void (*)(const PoolWindow& g, int64_t planes, const float* dy,
                                       float* dx);
// x: planes x [n] -> y: [planes], the mean of each plane.
using PlaneMeanKernel = void (*)(int64_t planes, int64_t n, const float* x, float* y);

struct KernelTable {
  Isa isa;
  SgemmMicroKernel sgemm;
  SgemmRowsMicroKernel sgemm_rows;
  int sgemm_mr, sgemm_nr;
  DepthwiseForwardKernel depthwise_forward;
  DepthwiseBackwardDataKernel depthwise_backward_data;
  DepthwiseBackwardWeightKernel depthwise_backward_weight;
  int depthwise_cols;  // output columns per tile of the depthwise kernels
  DirectForwardKernel direct_forward;
  DirectRowsKernel direct_rows;
  DirectRowsWeightKernel direct_rows_weight;
  DirectWeightKernel direct_weight;
  int direct_nr, direct_max_tile;
  WinogradFilterKernel winograd_filter;
  WinogradInputKernel winograd_input;
  WinogradOutputKernel winograd_output;
  WinogradGatherKernel winograd_gather;
  WinogradScatterKernel winograd_scatter;
  WinogradInputKernel winograd_grad_output;  // the same form as the input transform
  WinogradDotKernel winograd_dot;
  WinogradFilterGradKernel winograd_filter_grad;
  int winograd_lanes, winograd_dot_rows, winograd_dot_cols;
  TransposeKernel transpose;
  CorrelateRowKernel correlate_row;
  MaxPoolForwardKernel max_pool_forward;
  AvgPoolForwardKernel avg_pool_forward;
  AvgPoolBackwardKernel avg_pool_backward;
  PlaneMeanKernel plane_mean;
};

// The table of the level in use (convcore::current_isa()).
const KernelTable& active();
// The table of a given level; the level must be compiled in.
const KernelTable& table_for(Isa isa);

// Per-level entry points. The depthwise, direct, correlation and pooling
// kernels come from one source each (depthwise_conv2d.inc, direct_conv2d.inc,
// winograd.inc, transpose.inc, correlate.inc, pooling.inc), compiled once per
// level.
#define CONVCORE_DECLARE_ISA_KERNELS(ns)                                                    \
  namespace ns {                                                                            \
  void depthwise_forward(const DepthwiseGeometry&, const float*, const float*, float, float*); \
  void depthwise_backward_data(const DepthwiseGeometry&, const float*, const float*, float*); \
  void depthwise_backward_weight(const DepthwiseGeometry&, const float*, const float*, float*); \
  extern const int depthwise_cols;                                                          \
  void direct_conv_forward(int, int, int64_t, const int64_t*, const float*, int64_t,         \
                           const float*, float*);                                           \
  void direct_rows_forward(int, int, int64_t, const int64_t*, const float* const*,            \
                           const float*, const float*, int, float* const*, int64_t,           \
                           const int*);                                                     \
  void direct_rows_weight(int, int64_t, int64_t, int, const int64_t*, const float*, int64_t,  \
                          const float*, int64_t, int64_t, float*);                          \
  void direct_conv_weight(int, int, int64_t, int64_t, int64_t, int64_t, const int64_t*,       \
                          const float*, const float*, float*);                              \
  extern const int direct_nr, direct_max_tile;                                              \
  void winograd_filter_f4x3(const float*, float*);                                          \
  void winograd_input_f4x3(const float*, int64_t, float*, int64_t);                         \
  void winograd_output_f4x3(const float*, int64_t, float*);                                 \
  void winograd_gather(const float*, int64_t, int, int, float*);                            \
  void winograd_scatter(const float*, int, int, float, float*, int64_t);                    \
  void winograd_grad_output_f4x3(const float*, int64_t, float*, int64_t);                   \
  void winograd_dot(int, int, int64_t, const float*, int64_t, const float*, int64_t, float*, \
                    int64_t);                                                               \
  void winograd_filter_grad_f4x3(const float*, int64_t, float*);                            \
  extern const int winograd_lanes, winograd_dot_rows, winograd_dot_cols;                    \
  void transpose(int64_t, int64_t, const float*, int64_t, float*, int64_t);                  \
  void correlate_row(const float* const*, const float* const*, int64_t, int64_t, int64_t, float*); \
  void max_pool_forward(const PoolWindow&, int64_t, const float*, float*, int64_t*);          \
  void avg_pool_forward(const PoolWindow&, int64_t, const float*, float*);                    \
  void avg_pool_backward(const PoolWindow&, int64_t, const float*, float*);                   \
  void plane_mean(int64_t, int64_t, const float*, float*);                                    \
  }

CONVCORE_DECLARE_ISA_KERNELS(scalar)
void sgemm_kernel_4x16_scalar(int64_t, const float*, const float*, float*, int64_t, bool);
void sgemm_rows_kernel_4x16_scalar(int64_t, const float*, int64_t, int, const float*, float*, int64_t, bool);
#ifdef CONVCORE_HAVE_AVX2
CONVCORE_DECLARE_ISA_KERNELS(avx2)
void sgemm_kernel_6x16_avx2(int64_t, const float*, const float*, float*, int64_t, bool);
void sgemm_rows_kernel_6x16_avx2(int64_t, const float*, int64_t, int, const float*, float*, int64_t, bool);
#endif
#ifdef CONVCORE_HAVE_AVX512
CONVCORE_DECLARE_ISA_KERNELS(avx512)
void sgemm_kernel_12x32_avx512(int64_t, const float*, const float*, float*, int64_t, bool);
void sgemm_rows_kernel_12x32_avx512(int64_t, const float*, int64_t, int, const float*, float*, int64_t,
                                    bool);
#endif

}  // namespace convcore::kernels
