#include "ops/im2col.h"

#include <algorithm>
#include <vector>

#include "ops/gemm_operands.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {
// Kernel tap (c, r, s) and where its im2col row reads: input column
// ow*sw + off, inside the image for output columns [lo, hi).
struct Tap {
  int64_t c, r, off, lo, hi;
  Tap(const Conv2dGeometry& g, int64_t c_, int64_t r_, int64_t s) : c(c_), r(r_), off(s * g.dw - g.pl) {
    lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
    hi = std::max(lo, g.W - 1 - off >= 0 ? std::min(g.OW, (g.W - 1 - off) / g.sw + 1) : 0);
  }
  Tap(const Conv2dGeometry& g, int64_t crs) : Tap(g, crs / (g.R * g.S), (crs / g.S) % g.R, crs % g.S) {}
};

// Positions ow .. ow + count of one output row, whose top input row (tap
// r = 0) is ih, in the image at x + image; written from dst offset `to` on.
struct Run {
  int64_t to, image, ih, ow, count;
};

// Positions [q0, q0 + n) as runs; position t goes to (t / seg) * seg_stride
// + t % seg, so a run also ends where a segment (a packed sliver) does.
void make_runs(const Im2colGroup& src, int64_t q0, int64_t n, int64_t seg, int64_t seg_stride,
               std::vector<Run>& runs) {
  const Conv2dGeometry& g = *src.g;
  runs.clear();
  int64_t image = q0 / g.hw(), oh = (q0 % g.hw()) / g.OW, ow = q0 % g.OW;
  for (int64_t t = 0; t < n;) {
    const int64_t count = std::min({n - t, g.OW - ow, seg - t % seg});
    runs.push_back({(t / seg) * seg_stride + t % seg, image * src.image_stride, oh * g.sh - g.pt, ow, count});
    t += count;
    if ((ow += count) == g.OW) {
      ow = 0;
      if (++oh == g.OH) oh = 0, ++image;
    }
  }
}

// Rows [tap0, tap0 + taps) of the im2col matrix at the runs' positions:
// tap i's run at dst + i * ld + run.to.
//
// Strided rows read a few floats from each cache line, in rows far apart:
// the hardware prefetcher fell behind (1x1 stride 2 at batch 32: packing was
// bound by reads from L3), so each row is requested kAhead channels early.
constexpr int64_t kAhead = 4;
void copy_taps(const Im2colGroup& src, int64_t tap0, int64_t taps, const std::vector<Run>& runs,
               float* dst, int64_t ld) {
  const Conv2dGeometry& g = *src.g;
  const int64_t sw = g.sw;
  int64_t c = tap0 / (g.R * g.S), r = (tap0 / g.S) % g.R, s = tap0 % g.S;
  for (int64_t i = 0; i < taps; ++i, dst += ld) {
    const Tap tap(g, c, r, s);
    const float* plane = src.x + c * g.H * g.W + tap.off;
    for (const Run& run : runs) {
      float* d = dst + run.to;
      const int64_t ih = run.ih + r * g.dh;
      const int64_t a = run.ow, e = a + run.count;
      const bool inside = ih >= 0 && ih < g.H;
      const int64_t vlo = inside ? std::clamp(tap.lo, a, e) : e, vhi = std::clamp(tap.hi, vlo, e);
      std::fill(d, d + (vlo - a), 0.0f);
      if (vhi > vlo) {
        const float* from = plane + run.image + ih * g.W + vlo * sw;
        float* to = d + (vlo - a);
        const int64_t m = vhi - vlo;
        if (s == 0 && c + kAhead < g.Cg)  // the same row kAhead channels on
          for (int64_t l = 0; l < m * sw; l += 16) __builtin_prefetch(from + kAhead * g.H * g.W + l);
        if (sw == 1)
          std::copy(from, from + m, to);
        else if (sw == 2)  // (stride 2 spelled out: a vector deinterleave)
          for (int64_t v = 0; v < m; ++v) to[v] = from[2 * v];
        else
          for (int64_t v = 0; v < m; ++v) to[v] = from[v * sw];
      }
      std::fill(d + (vhi - a), d + run.count, 0.0f);
    }
    if (++s == g.S) {
      s = 0;
      if (++r == g.R) r = 0, ++c;
    }
  }
}

thread_local std::vector<Run> t_runs;  // reused: no allocation per packed block
}  // namespace

void Im2colColumns::operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) const {
  make_runs(src, j0, n, NR, k * NR, t_runs);
  copy_taps(src, p0, k, t_runs, dst, NR);
  if (const int64_t tail = n % NR) zero_sliver_tail(dst + (n / NR) * k * NR, k, NR, tail);
}

void Im2colRowsTransposed::operator()(int64_t p0, int64_t k, int64_t j0, int64_t n, int NR,
                                      float* dst) const {
  make_runs(src, p0, k, k, 0, t_runs);
  float* rows = thread_workspace(kWsStage, static_cast<size_t>(NR * k));
  for (int64_t s = 0; s < n; s += NR, dst += k * NR) {
    const int64_t taps = std::min<int64_t>(NR, n - s);
    copy_taps(src, j0 + s, taps, t_runs, rows, k);
    transpose(taps, k, rows, k, dst, NR);
    zero_sliver_tail(dst, k, NR, taps);
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
