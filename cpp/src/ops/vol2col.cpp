// vol2col read and col2vol scatter, one output row (fixed n, od, oh) at a
// time: within a row, tap (c, t, r, s) reads input row (id, ih) at columns
// ow*sw + s*dw - pl, inside the volume for ow in [lo, hi), so a run is zeros,
// a (strided) copy, zeros.
#include "ops/vol2col.h"

#include <algorithm>

namespace convcore {

namespace {

struct Tap {
  int64_t c, t, r, off, lo, hi;
  Tap(const Conv3dGeometry& g, int64_t ctrs)
      : c(ctrs / g.taps()),
        t((ctrs / (g.R * g.S)) % g.T),
        r((ctrs / g.S) % g.R),
        off((ctrs % g.S) * g.dw - g.pl) {
    lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
    hi = std::max(lo, g.W - 1 - off >= 0 ? std::min(g.OW, (g.W - 1 - off) / g.sw + 1) : 0);
  }
};

// Walks positions q0, q0 + 1, ... one output row at a time.
struct RowCursor {
  const Conv3dGeometry& g;
  int64_t n, od, oh, ow;
  RowCursor(const Conv3dGeometry& geo, int64_t q0) : g(geo) {
    const int64_t vol = g.out_volume(), plane = g.OH * g.OW;
    n = q0 / vol;
    od = (q0 % vol) / plane;
    oh = (q0 % plane) / g.OW;
    ow = q0 % g.OW;
  }
  // Offset of input row (id, ih) of channel c within an image, or -1 when
  // that row lies in the padding.
  int64_t input_row(const Tap& tap) const {
    const int64_t id = od * g.sd - g.pf + tap.t * g.dd, ih = oh * g.sh - g.pt + tap.r * g.dh;
    if (id < 0 || id >= g.D || ih < 0 || ih >= g.H) return -1;
    return ((tap.c * g.D + id) * g.H + ih) * g.W;
  }
  void next_row() {
    ow = 0;
    if (++oh == g.OH) {
      oh = 0;
      if (++od == g.OD) od = 0, ++n;
    }
  }
};

}  // namespace

void Vol2colSource::read_row(int64_t ctrs, int64_t q0, int64_t count, float* dst, int64_t seg,
                             int64_t seg_stride, int64_t elem_stride) const {
  const Conv3dGeometry& G = *g;
  const Tap tap(G, ctrs);
  RowCursor cur(G, q0);
  for (int64_t t = 0; t < count; cur.next_row()) {
    const int64_t run = std::min(count - t, G.OW - cur.ow);  // within one output row
    const int64_t row = cur.input_row(tap);
    const float* xrow = row >= 0 ? x + cur.n * image_stride + row : nullptr;
    for (int64_t u = 0; u < run;) {  // split where dst segments end
      const int64_t tt = t + u, in_seg = tt % seg;
      const int64_t piece = std::min(run - u, seg - in_seg);
      float* d = dst + (tt / seg) * seg_stride + in_seg * elem_stride;
      const int64_t a = cur.ow + u, e = a + piece;  // output columns [a, e)
      int64_t q = 0;
      if (xrow) {
        const int64_t vlo = std::clamp(tap.lo, a, e), vhi = std::clamp(tap.hi, vlo, e);
        for (; q < vlo - a; ++q) d[q * elem_stride] = 0.0f;
        const float* src = xrow + vlo * G.sw + tap.off;
        if (G.sw == 1 && elem_stride == 1)
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q] = src[v];
        else
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q * elem_stride] = src[v * G.sw];
      }
      for (; q < piece; ++q) d[q * elem_stride] = 0.0f;
      u += piece;
    }
    t += run;
  }
}

void col2vol_run_add(const Conv3dGeometry& g, const float* col_row, int64_t ctrs, int64_t q0,
                     int64_t count, float* dx, int64_t image_stride) {
  const Tap tap(g, ctrs);
  RowCursor cur(g, q0);
  for (int64_t t = 0; t < count; cur.next_row()) {
    const int64_t run = std::min(count - t, g.OW - cur.ow);
    const int64_t row = cur.input_row(tap);
    if (row >= 0) {
      float* dst = dx + cur.n * image_stride + row + tap.off;
      const int64_t vlo = std::max(tap.lo, cur.ow), vhi = std::min(tap.hi, cur.ow + run);
      const float* src = col_row + t - cur.ow;  // src[v] is output column v of this row
      if (g.sw == 1)
        for (int64_t v = vlo; v < vhi; ++v) dst[v] += src[v];
      else
        for (int64_t v = vlo; v < vhi; ++v) dst[v * g.sw] += src[v];
    }
    t += run;
  }
}

}  // namespace convcore
