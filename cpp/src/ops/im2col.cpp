#include "ops/im2col.h"

#include <algorithm>

namespace convcore {

namespace {
// Output columns [lo, hi) of a row whose input column ow*sw + off is inside [0, W).
inline void valid_columns(const Conv2dGeometry& g, int64_t off, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
  hi = g.W - 1 - off >= 0 ? std::min(g.OW, (g.W - 1 - off) / g.sw + 1) : 0;
  hi = std::max(hi, lo);
}
}  // namespace

void im2col_run(const Conv2dGeometry& g, const float* x, int64_t crs, int64_t hw0, int64_t count,
                float* dst, int64_t seg, int64_t seg_stride, int64_t elem_stride) {
  const int64_t c = crs / (g.R * g.S), r = (crs / g.S) % g.R, s = crs % g.S;
  const float* xc = x + c * g.H * g.W;
  const int64_t off = s * g.dw - g.pl;
  int64_t lo, hi;
  valid_columns(g, off, lo, hi);
  int64_t oh = hw0 / g.OW, ow = hw0 % g.OW;
  int64_t t = 0;
  while (t < count) {
    const int64_t run = std::min(count - t, g.OW - ow);  // within one output row
    const int64_t ih = oh * g.sh - g.pt + r * g.dh;
    const float* xrow = (ih >= 0 && ih < g.H) ? xc + ih * g.W : nullptr;
    // Split the row run where it crosses a segment boundary of dst.
    for (int64_t u = 0; u < run;) {
      const int64_t tt = t + u, in_seg = tt % seg;
      const int64_t piece = std::min(run - u, seg - in_seg);
      float* d = dst + (tt / seg) * seg_stride + in_seg * elem_stride;
      const int64_t a = ow + u, e = a + piece;  // output columns [a, e)
      if (!xrow) {
        for (int64_t q = 0; q < piece; ++q) d[q * elem_stride] = 0.0f;
      } else {
        const int64_t vlo = std::clamp(lo, a, e), vhi = std::clamp(hi, vlo, e);
        int64_t q = 0;
        for (; q < vlo - a; ++q) d[q * elem_stride] = 0.0f;
        const float* src = xrow + vlo * g.sw + off;
        if (g.sw == 1 && elem_stride == 1)
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q] = src[v];
        else
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q * elem_stride] = src[v * g.sw];
        for (; q < piece; ++q) d[q * elem_stride] = 0.0f;
      }
      u += piece;
    }
    t += run;
    ow = 0;
    ++oh;
  }
}

void col2im_run_add(const Conv2dGeometry& g, const float* col_row, int64_t crs, int64_t hw0,
                    int64_t count, float* dx) {
  const int64_t c = crs / (g.R * g.S), r = (crs / g.S) % g.R, s = crs % g.S;
  float* dxc = dx + c * g.H * g.W;
  const int64_t off = s * g.dw - g.pl;
  int64_t lo, hi;
  valid_columns(g, off, lo, hi);
  int64_t oh = hw0 / g.OW, ow = hw0 % g.OW;
  for (int64_t t = 0; t < count;) {
    const int64_t run = std::min(count - t, g.OW - ow);
    const int64_t ih = oh * g.sh - g.pt + r * g.dh;
    if (ih >= 0 && ih < g.H) {
      float* row = dxc + ih * g.W + off;
      const int64_t vlo = std::max(lo, ow), vhi = std::min(hi, ow + run);
      const float* src = col_row + t - ow;  // src[v] is output column v of this row
      if (g.sw == 1)
        for (int64_t v = vlo; v < vhi; ++v) row[v] += src[v];
      else
        for (int64_t v = vlo; v < vhi; ++v) row[v * g.sw] += src[v];
    }
    t += run;
    ow = 0;
    ++oh;
  }
}

void Im2colPackB::operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR,
                             float* dst) const {
  // Row crs of the block lands at offset q*NR inside each sliver.
  for (int64_t q = 0; q < k; ++q) im2col_run(*g, x, p0 + q, j0, n, dst + q * NR, NR, k * NR, 1);
  if (const int64_t tail = n % NR) {  // zero the unused columns of the last sliver
    float* last = dst + (n / NR) * k * NR;
    for (int64_t q = 0; q < k; ++q)
      for (int64_t j = tail; j < NR; ++j) last[q * NR + j] = 0.0f;
  }
}

void Im2colTransposedPackB::operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR,
                                       float* dst) const {
  // Column j of B is im2col row crs = j0 + j, read along hw = p0 .. p0+k.
  for (int64_t s = 0; s < n; s += NR, dst += k * NR) {
    const int64_t cols = std::min<int64_t>(NR, n - s);
    for (int64_t j = 0; j < cols; ++j) im2col_run(*g, x, j0 + s + j, p0, k, dst + j, k, 0, NR);
    for (int64_t j = cols; j < NR; ++j)
      for (int64_t q = 0; q < k; ++q) dst[q * NR + j] = 0.0f;
  }
}

}  // namespace convcore
