#include "ops/im2col.h"

#include <algorithm>

namespace convcore {

namespace {
// Kernel tap crs = (c, r, s) and where its im2col row reads: input column
// ow*sw + off, inside the image for output columns [lo, hi).
struct Tap {
  int64_t c, r, off, lo, hi;
  Tap(const Conv2dGeometry& g, int64_t crs)
      : c(crs / (g.R * g.S)), r((crs / g.S) % g.R), off((crs % g.S) * g.dw - g.pl) {
    lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
    hi = std::max(lo, g.W - 1 - off >= 0 ? std::min(g.OW, (g.W - 1 - off) / g.sw + 1) : 0);
  }
};
}  // namespace

void Im2colSource::read_row(int64_t crs, int64_t q0, int64_t count, float* dst, int64_t seg,
                            int64_t seg_stride, int64_t elem_stride) const {
  const Conv2dGeometry& G = *g;
  const Tap tap(G, crs);
  const int64_t c = tap.c, r = tap.r, off = tap.off, lo = tap.lo, hi = tap.hi;
  const int64_t hw = G.hw();
  int64_t n = q0 / hw, oh = (q0 % hw) / G.OW, ow = q0 % G.OW;
  for (int64_t t = 0; t < count;) {
    const int64_t run = std::min(count - t, G.OW - ow);  // within one output row
    const int64_t ih = oh * G.sh - G.pt + r * G.dh;
    const float* xrow =
        (ih >= 0 && ih < G.H) ? x + n * image_stride + (c * G.H + ih) * G.W : nullptr;
    for (int64_t u = 0; u < run;) {  // split where dst segments end
      const int64_t tt = t + u, in_seg = tt % seg;
      const int64_t piece = std::min(run - u, seg - in_seg);
      float* d = dst + (tt / seg) * seg_stride + in_seg * elem_stride;
      const int64_t a = ow + u, e = a + piece;  // output columns [a, e)
      int64_t q = 0;
      if (xrow) {
        const int64_t vlo = std::clamp(lo, a, e), vhi = std::clamp(hi, vlo, e);
        for (; q < vlo - a; ++q) d[q * elem_stride] = 0.0f;
        const float* src = xrow + vlo * G.sw + off;
        if (G.sw == 1 && elem_stride == 1)
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q] = src[v];
        else if (G.sw == 2 && elem_stride == 1)  // (stride 2 spelled out: a vector deinterleave)
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q] = src[2 * v];
        else
          for (int64_t v = 0; v < vhi - vlo; ++v, ++q) d[q * elem_stride] = src[v * G.sw];
      }
      for (; q < piece; ++q) d[q * elem_stride] = 0.0f;
      u += piece;
    }
    t += run;
    ow = 0;
    if (++oh == G.OH) oh = 0, ++n;
  }
}

void col2im_run_add(const Conv2dGeometry& g, const float* col_row, int64_t crs, int64_t q0,
                    int64_t count, float* dx, int64_t image_stride) {
  const Tap tap(g, crs);
  const int64_t c = tap.c, r = tap.r, off = tap.off, lo = tap.lo, hi = tap.hi;
  const int64_t hw = g.hw();
  int64_t n = q0 / hw, oh = (q0 % hw) / g.OW, ow = q0 % g.OW;
  for (int64_t t = 0; t < count;) {
    const int64_t run = std::min(count - t, g.OW - ow);
    const int64_t ih = oh * g.sh - g.pt + r * g.dh;
    if (ih >= 0 && ih < g.H) {
      float* row = dx + n * image_stride + (c * g.H + ih) * g.W + off;
      const int64_t vlo = std::max(lo, ow), vhi = std::min(hi, ow + run);
      const float* src = col_row + t - ow;  // src[v] is output column v of this row
      if (g.sw == 1)
        for (int64_t v = vlo; v < vhi; ++v) row[v] += src[v];
      else
        for (int64_t v = vlo; v < vhi; ++v) row[v * g.sw] += src[v];
    }
    t += run;
    ow = 0;
    if (++oh == g.OH) oh = 0, ++n;
  }
}

void col2im_images_add(const Conv2dGeometry& g, const float* col, int64_t len, int64_t q0,
                       int64_t c0, int64_t c1, float* dx, int64_t image_stride) {
  const int64_t hw = g.hw(), rs = g.R * g.S;
  for (int64_t i = 0; i < len / hw; ++i) {
    float* image = dx + (q0 / hw + i) * image_stride;
    for (int64_t c = c0; c < c1; ++c) {
      float* plane = image + c * g.H * g.W;
      for (int64_t t = c * rs; t < (c + 1) * rs; ++t) {
        const Tap tap(g, t);
        // Output rows oh whose input row ih = oh * sh + base is in [0, H).
        const int64_t base = tap.r * g.dh - g.pt;
        const int64_t oh_lo = base >= 0 ? 0 : (-base + g.sh - 1) / g.sh;
        const int64_t oh_hi = g.H - 1 - base < 0 ? 0 : std::min(g.OH, (g.H - 1 - base) / g.sh + 1);
        const int64_t width = tap.hi - tap.lo;
        const float* src = col + t * len + i * hw + tap.lo;
        for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
          // First column written: (lo * sw + off) >= 0, so no pointer before the plane.
          float* __restrict row = plane + (oh * g.sh + base) * g.W + tap.lo * g.sw + tap.off;
          const float* __restrict s = src + oh * g.OW;
          if (g.sw == 1)
            for (int64_t u = 0; u < width; ++u) row[u] += s[u];
          else
            for (int64_t u = 0; u < width; ++u) row[u * g.sw] += s[u];
        }
      }
    }
  }
}

}  // namespace convcore
