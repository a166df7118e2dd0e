// conv2d backward: gradients of input, weight and bias.
//
//   grad_input  = the transposed convolution of dy: at stride 1 a forward
//                 convolution with the flipped kernel, else col2im(w^T * dy)
//   grad_weight = sum_n dy * im2col(x)^T   ("sharing in forward = adding in backward")
//   grad_bias   = sum over images and positions of dy
#include <algorithm>
#include <type_traits>
#include <vector>

#include "convcore/error.h"
#include "ops/conv2d_internal.h"
#include "ops/gemm.h"
#include "ops/gemm_operands.h"
#include "ops/im2col.h"
#include "ops/padded_image.h"
#include "runtime/parallel.h"
#include "runtime/workspace.h"

namespace convcore {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// dx for images [n0, n1) of group grp: for each piece of positions,
//   dcol [crs, len] = w_g^T [crs, Kg] * dy [Kg, len], then col2im into dx.
// shared: split each piece's GEMM by rows and its col2im by channels across
// the threads (the caller runs outside any parallel region).
void backward_data_chunk(const Conv2dGeometry& g, const Conv2dPlan& p, const PrepackedA& wt,
                         const float* dy, float* dx, int64_t grp, int64_t n0, int64_t n1,
                         bool shared) {
  const int64_t crs = g.crs(), hw = g.hw(), plane = g.in_plane();
  float* dxg = dx + grp * g.Cg * plane;
  for (int64_t n = n0; n < n1; ++n)
    std::fill(dxg + n * g.C * plane, dxg + n * g.C * plane + g.Cg * plane, 0.0f);
  const PlaneSource dys{dy + grp * g.Kg * hw, hw, g.K * hw};
  const int64_t chunk = p.col_chunk;
  float* col = thread_workspace(kWsCol, static_cast<size_t>(crs * chunk));
  for (int64_t q0 = n0 * hw; q0 < n1 * hw; q0 += chunk) {
    const int64_t len = std::min(chunk, n1 * hw - q0);
    const auto b = [&](int64_t p0, int64_t k, int64_t j0, int64_t n, int NR, float* dst) {
      PositionsAsColumns<PlaneSource>{dys}(p0, k, q0 + j0, n, NR, dst);
    };
    // Chunks of whole images (the plan's choice where an image fits) go
    // plane by plane; otherwise tap row by tap row.
    const bool whole_images = chunk % hw == 0;
    auto col2im_channels = [&](int64_t c0, int64_t c1) {
      if (whole_images)
        col2im_images_add(g, col, len, q0, c0, c1, dxg, g.C * plane);
      else
        for (int64_t r = c0 * g.R * g.S; r < c1 * g.R * g.S; ++r)
          col2im_run_add(g, col + r * len, r, q0, len, dxg, g.C * plane);
    };
    if (!shared) {
      gemm_serial(*p.kernels, crs, len, g.Kg, wt, b, col, len, false);
      col2im_channels(0, g.Cg);
      continue;
    }
    const int64_t mr = p.kernels->sgemm_mr, tiles = (crs + mr - 1) / mr;
    parallel_for(0, tiles, [&](int64_t lo, int64_t hi, int) {
      const int64_t r0 = lo * mr, r1 = std::min(crs, hi * mr);
      PrepackedA slab = wt;
      slab.row_offset = r0;
      gemm_serial(*p.kernels, r1 - r0, len, g.Kg, slab, b, col + r0 * len, len, false);
    });
    // The rows of one input channel write only that channel's plane.
    parallel_for(0, g.Cg, [&](int64_t lo, int64_t hi, int) { col2im_channels(lo, hi); });
  }
}

// At stride 1 the input gradient is itself a stride-1 convolution: of dy,
// padded by d*(r-1) - p, with the kernel flipped and its in/out channels
// swapped per group. It then runs on the fast forward path. Needs
// p <= d*(r-1) on every side, which holds for all but odd paddings, and
// at least half a vector of input channels: they are the transposed
// convolution's outputs, which its channel-lane direct kernel puts along
// the lanes, so with fewer most lanes would idle and the col2im GEMM is
// faster (measured with 16 lanes: 1.4x on LeNet's 6-channel C3, 3.5x on
// 3-channel inputs) -- unless the transposed forward takes rows mode,
// positions along the lanes (direct_rows_suit: LeNet C3's 0.65 -> 0.55 ms).
bool transposed_is_forward(const Conv2dGeometry& g, const kernels::KernelTable& kt) {
  const int64_t eh = g.dh * (g.R - 1), ew = g.dw * (g.S - 1);
  return g.sh == 1 && g.sw == 1 && g.pt <= eh && g.pb <= eh && g.pl <= ew && g.pr <= ew &&
         (g.Cg * 2 >= kt.direct_nr || direct_rows_suit(g.Cg, g.W, kt));
}

void backward_data_as_forward(const Conv2dGeometry& g, const float* dy, const float* w, float* dx) {
  // wt [C, Kg, R, S]: wt[grp*Cg + c][k][R-1-r][S-1-s] = w[grp*Kg + k][c][r][s],
  // written row by row in parallel (a 512-channel 3x3 layer has 2.4M weights).
  Tensor wt_tensor = Tensor::empty(Shape{g.C, g.Kg, g.R, g.S});
  float* wt = wt_tensor.data();
  const int64_t rs = g.R * g.S;
  parallel_for(0, g.C, [&](int64_t lo, int64_t hi, int) {
    for (int64_t row = lo; row < hi; ++row) {
      const int64_t grp = row / g.Cg, c = row % g.Cg;
      for (int64_t k = 0; k < g.Kg; ++k) {
        const float* src = w + ((grp * g.Kg + k) * g.Cg + c) * rs;
        float* dst = wt + (row * g.Kg + k) * rs;
        for (int64_t i = 0; i < rs; ++i) dst[rs - 1 - i] = src[i];
      }
    }
  });
  Conv2dGeometry t = g;
  t.C = g.K, t.H = g.OH, t.W = g.OW, t.K = g.C, t.OH = g.H, t.OW = g.W;
  t.Cg = g.Kg, t.Kg = g.Cg;
  t.pt = g.dh * (g.R - 1) - g.pt, t.pb = g.dh * (g.R - 1) - g.pb;
  t.pl = g.dw * (g.S - 1) - g.pl, t.pr = g.dw * (g.S - 1) - g.pr;
  conv2d_forward(t, conv2d_plan(t), dy, wt, nullptr, dx);
}

Tensor backward_data(const Conv2dGeometry& g, const Conv2dPlan& p, const Tensor& dy,
                     const Tensor& w) {
  Tensor dx = Tensor::empty(Shape{g.N, g.C, g.H, g.W});
  const float* dyp = dy.data();
  const float* wp = w.data();
  float* dxp = dx.data();
  if (p.algo == Conv2dAlgo::Dense) {
    conv2d_backward_data_dense(g, dyp, wp, dxp);
    return dx;
  }
  if (p.algo == Conv2dAlgo::Depthwise) {
    conv2d_backward_data_depthwise(g, p, dyp, wp, dxp);
    return dx;
  }
  if (transposed_is_forward(g, *p.kernels)) {
    backward_data_as_forward(g, dyp, wp, dxp);
    return dx;
  }
  // w_g^T [crs, Kg], packed once per call.
  const kernels::KernelTable& kt = *p.kernels;
  const int64_t crs = g.crs(), per_group = prepacked_a_size(kt, crs, g.Kg);
  const int64_t m_padded = (crs + kt.sgemm_mr - 1) / kt.sgemm_mr * kt.sgemm_mr;
  float* packed = thread_workspace(kWsWeights, static_cast<size_t>(g.G * per_group));
  prepack_a_groups(kt, g.G, crs, g.Kg, [&](int64_t grp) { return StridedPackA{wp + grp * g.Kg * crs, 1, crs}; },
                   packed);
  std::vector<PrepackedA> wt;
  for (int64_t grp = 0; grp < g.G; ++grp) wt.push_back({packed + grp * per_group, m_padded, 0});
  const int64_t ipc = p.bwd_images_per_chunk, chunks = (g.N + ipc - 1) / ipc;
  auto chunk_of = [&](int64_t u, int64_t& grp, int64_t& n0, int64_t& n1) {
    grp = u / chunks;
    n0 = (u % chunks) * ipc;
    n1 = std::min(g.N, n0 + ipc);
  };
  if (p.bwd_share_pieces) {
    for (int64_t u = 0; u < g.G * chunks; ++u) {
      int64_t grp, n0, n1;
      chunk_of(u, grp, n0, n1);
      backward_data_chunk(g, p, wt[static_cast<size_t>(grp)], dyp, dxp, grp, n0, n1, true);
    }
  } else {
    parallel_for(0, g.G * chunks, [&](int64_t lo, int64_t hi, int) {
      for (int64_t u = lo; u < hi; ++u) {
        int64_t grp, n0, n1;
        chunk_of(u, grp, n0, n1);
        backward_data_chunk(g, p, wt[static_cast<size_t>(grp)], dyp, dxp, grp, n0, n1, false);
      }
    });
  }
  return dx;
}

// Where weight-gradient units accumulate: dw itself when they write
// disjoint columns, else one zeroed private [K, crs] buffer per thread, added
// into dw in thread order by finish(), so the result depends only on the
// thread count.
class WeightGradSums {
 public:
  WeightGradSums(float* dw, int64_t size, bool private_sums, int64_t units)
      : dw_(dw), size_(size), private_(private_sums),
        partial_(static_cast<size_t>(parallel_threads(units)), nullptr) {}
  // The buffer thread t adds into (called once by each thread).
  float* for_thread(int t) {
    if (!private_) return dw_;
    float* acc = thread_workspace(kWsReduce, static_cast<size_t>(size_));
    std::fill(acc, acc + size_, 0.0f);
    partial_[static_cast<size_t>(t)] = acc;
    return acc;
  }
  void finish() {
    if (!private_) return;
    parallel_for(0, size_, [&](int64_t lo, int64_t hi, int) {
      for (const float* part : partial_)
        if (part)
          for (int64_t i = lo; i < hi; ++i) dw_[i] += part[i];
    });
  }

 private:
  float* dw_;
  int64_t size_;
  bool private_;
  std::vector<float*> partial_;
};

// Stride-1 weight gradient on the padded grid (padded_image.h), one image
// at a time: dw_g [Kg, crs] += dy_grid [Kg, grid] * xp_rows^T [grid, crs],
// where dy_grid is dy with zero columns ow >= OW and im2col row i of the
// padded image is the contiguous run at img.off[i]: both operands pack by
// plain copies. Units: group x image range x column range of dw, as below.
void backward_weight_padded(const Conv2dGeometry& g, const Conv2dPlan& p, const float* dy,
                            const float* x, float* dw) {
  const PaddedImage img(g);
  const int64_t crs = g.crs(), wsize = g.K * crs, grid = img.grid(g);
  // Each padded image is followed by `slack` zeros: the runs of its last
  // taps overhang it there (at positions whose dy is zero, so the overhang
  // must read zeros, not the next image).
  const int64_t slack = (g.S - 1) * g.dw, stride = img.size(g) + slack;
  const int64_t parts = p.weight_parts, col_parts = p.weight_col_parts, nr = p.kernels->sgemm_nr;
  const EvenSplit images{g.N, parts}, col_tiles{(crs + nr - 1) / nr, col_parts};
  // Images per GEMM: enough positions that C = dw is not re-read per image.
  const int64_t per_gemm = std::max<int64_t>(1, std::min(ceil_div(g.N, parts), 512 / grid));
  const int64_t units = g.G * parts * col_parts;
  WeightGradSums sums(dw, wsize, parts > 1, units);
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int t) {
    float* acc = sums.for_thread(t);
    float* xp = thread_workspace(kWsPad, static_cast<size_t>(per_gemm * stride));
    float* dyg = thread_workspace(kWsCol, static_cast<size_t>(per_gemm * g.Kg * grid));
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t grp = u / (parts * col_parts), part = (u / col_parts) % parts, cp = u % col_parts;
      const int64_t j0 = col_tiles.begin(cp) * nr, j1 = std::min(crs, col_tiles.end(cp) * nr);
      if (j0 >= j1) continue;
      for (int64_t n0 = images.begin(part); n0 < images.end(part); n0 += per_gemm) {
        const int64_t count = std::min(per_gemm, images.end(part) - n0);
        for (int64_t i = 0; i < count; ++i) {
          float* xi = xp + i * stride;
          img.fill(g, x, n0 + i, grp, xi);
          std::fill(xi + img.size(g), xi + stride, 0.0f);
          // dy of image n0 + i on the padded grid: [Kg][OH][Wp], zero past OW.
          for (int64_t k = 0; k < g.Kg; ++k)
            for (int64_t oh = 0; oh < g.OH; ++oh) {
              const float* src = dy + ((((n0 + i) * g.K + grp * g.Kg + k) * g.OH) + oh) * g.OW;
              float* dst = dyg + (i * g.Kg + k) * grid + oh * img.Wp;
              std::copy(src, src + g.OW, dst);
              std::fill(dst + g.OW, dst + img.Wp, 0.0f);
            }
        }
        const RowsAsSlivers<PlaneSource> a{{dyg, grid, g.Kg * grid}, p.kernels->transpose};
        const RowsAsColumnsTransposed<PlaneSource> xs{{{xp, grid, stride, img.off.data()}}};
        const auto b = [&](int64_t p0, int64_t k, int64_t jj, int64_t n, int NR, float* dst) {
          xs(p0, k, j0 + jj, n, NR, dst);
        };
        gemm_serial(*p.kernels, g.Kg, j1 - j0, count * grid, a, b, acc + grp * g.Kg * crs + j0, crs,
                    true);
      }
    }
  });
  sums.finish();
}

// Weight gradient: dw_g [Kg, crs] = dy_g [Kg, positions] * im2col(x_g)^T [positions, crs],
// on the depthwise, direct or padded-grid path where the plan has one, else
// through the im2col source. Units: group x position range x column range of
// dw (see WeightGradSums).
Tensor backward_weight(const Conv2dGeometry& g, const Conv2dPlan& p, const Tensor& dy,
                       const Tensor& x) {
  const int64_t crs = g.crs(), hw = g.hw(), plane = g.in_plane(), wsize = g.K * crs;
  Tensor dw = Tensor::zeros(Shape{g.K, g.Cg, g.R, g.S});
  const float* dyp = dy.data();
  const float* xp = x.data();
  float* dwp = dw.data();
  if (g.N == 0) return dw;
  if (p.weight_algo == Conv2dAlgo::Dense) {
    conv2d_backward_weight_dense(g, dyp, xp, dwp);
    return dw;
  }
  if (p.weight_algo == Conv2dAlgo::Depthwise) {
    conv2d_backward_weight_depthwise(g, p, dyp, xp, dwp);
    return dw;
  }
  if (p.weight_algo == Conv2dAlgo::Direct) {
    conv2d_backward_weight_direct(g, p, dyp, xp, dwp);
    return dw;
  }
  if (p.weight_algo == Conv2dAlgo::Winograd) {
    conv2d_backward_weight_winograd(g, p, dyp, xp, dwp);
    return dw;
  }
  if (p.weight_algo == Conv2dAlgo::PaddedGemm) {
    backward_weight_padded(g, p, dyp, xp, dwp);
    return dw;
  }
  const int64_t parts = p.weight_parts, col_parts = p.weight_col_parts;
  const int64_t units = g.G * parts * col_parts, nr = p.kernels->sgemm_nr;
  const EvenSplit split{g.N * hw, parts}, col_tiles{(crs + nr - 1) / nr, col_parts};
  WeightGradSums sums(dwp, wsize, parts > 1, units);
  parallel_for(0, units, [&](int64_t lo, int64_t hi, int t) {
    float* acc = sums.for_thread(t);
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t grp = u / (parts * col_parts), part = (u / col_parts) % parts, cp = u % col_parts;
      const int64_t q0 = split.begin(part), q1 = split.end(part);
      const int64_t j0 = col_tiles.begin(cp) * nr, j1 = std::min(crs, col_tiles.end(cp) * nr);
      if (q0 == q1 || j0 >= j1) continue;
      const RowsAsSlivers<PlaneSource> dys{{dyp + grp * g.Kg * hw, hw, g.K * hw},
                                           p.kernels->transpose};
      const auto a = [&](int64_t i0, int64_t m, int64_t p0, int64_t k, int MR, float* dst) {
        dys(i0, m, q0 + p0, k, MR, dst);
      };
      const float* xg = xp + grp * g.Cg * plane;
      float* c = acc + grp * g.Kg * crs + j0;
      const auto run = [&](const auto& xs) {
        const auto b = [&](int64_t p0, int64_t k, int64_t jj, int64_t n, int NR, float* dst) {
          xs(q0 + p0, k, j0 + jj, n, NR, dst);
        };
        gemm_serial(*p.kernels, g.Kg, j1 - j0, q1 - q0, a, b, c, crs, true);
      };
      if (p.weight_algo == Conv2dAlgo::Pointwise)
        run(RowsAsColumnsTransposed<PlaneSource>{{{xg, plane, g.C * plane}, p.kernels->transpose}});
      else
        run(Im2colRowsTransposed{{&g, xg, g.C * plane}, p.kernels->transpose});
    }
  });
  sums.finish();
  return dw;
}

Tensor backward_bias(const Conv2dGeometry& g, const Tensor& dy) {
  Tensor db = Tensor::empty(Shape{g.K});
  const float* dyp = dy.data();
  float* dbp = db.data();
  const int64_t hw = g.hw();
  parallel_for(0, g.K, [&](int64_t lo, int64_t hi, int) {
    for (int64_t k = lo; k < hi; ++k) {
      constexpr int kLanes = 16;  // independent partial sums: vectorisable, fixed order
      float part[kLanes] = {};
      float tail = 0.0f;
      for (int64_t n = 0; n < g.N; ++n) {
        const float* p = dyp + (n * g.K + k) * hw;
        int64_t i = 0;
        for (; i + kLanes <= hw; i += kLanes)
          for (int j = 0; j < kLanes; ++j) part[j] += p[i + j];
        for (; i < hw; ++i) tail += p[i];
      }
      for (float v : part) tail += v;
      dbp[k] = tail;
    }
  });
  return db;
}

}  // namespace

Conv2dGrads conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            const Conv2dOptions& options, std::array<bool, 3> output_mask) {
  CONVCORE_CHECK_VALUE(weight.defined() && weight.ndim() == 4,
                       "conv2d_backward: weight must be 4-D [K, C/groups, R, S]");
  Conv2dOptions o = resolve_same_padding(options, weight.size(2), weight.size(3), "conv2d_backward");
  const bool any_pad = std::any_of(o.padding.begin(), o.padding.end(), [](int64_t p) { return p != 0; });
  if (o.padding_mode != PaddingMode::Zeros && any_pad) {
    CONVCORE_CHECK_VALUE(input.defined() && input.ndim() == 4,
                         "conv2d_backward: input must be 4-D [N, C, H, W]");
    const Tensor padded = pad2d(input.detach(), o.padding, o.padding_mode);
    Conv2dOptions inner = o;
    inner.padding = {0, 0, 0, 0};
    inner.padding_mode = PaddingMode::Zeros;
    Conv2dGrads grads = conv2d_backward(grad_output, padded, weight, inner, output_mask);
    if (grads.input.defined())
      grads.input = pad2d_backward(grads.input, o.padding, o.padding_mode, input.size(2), input.size(3));
    return grads;
  }
  o.padding_mode = PaddingMode::Zeros;
  const Conv2dGeometry g = make_conv2d_geometry(input, weight, Tensor(), o, "conv2d_backward");
  CONVCORE_CHECK_VALUE(grad_output.defined() && grad_output.shape() == Shape({g.N, g.K, g.OH, g.OW}),
                       "conv2d_backward: grad_output must have the output's shape ",
                       Shape({g.N, g.K, g.OH, g.OW}).str(), ", got ",
                       grad_output.defined() ? grad_output.shape().str() : std::string("nothing"));
  const Conv2dPlan& plan = conv2d_plan(g);
  Conv2dGrads out;
  if (output_mask[0]) out.input = backward_data(g, plan, grad_output, weight);
  if (output_mask[1]) out.weight = backward_weight(g, plan, grad_output, input);
  if (output_mask[2]) out.bias = backward_bias(g, grad_output);
  return out;
}

// ---- The two halves, for callers with only a shape on one side (conv_transpose2d) ----

namespace {

bool pads_explicitly(const Conv2dOptions& o) {
  return o.padding_mode != PaddingMode::Zeros &&
         std::any_of(o.padding.begin(), o.padding.end(), [](int64_t p) { return p != 0; });
}

Conv2dOptions without_padding(Conv2dOptions o) {
  o.padding = {0, 0, 0, 0};
  o.padding_mode = PaddingMode::Zeros;
  return o;
}

void check_half_grad_output(const Tensor& dy, const Conv2dGeometry& g) {
  const Shape expected{g.N, g.K, g.OH, g.OW};
  CONVCORE_CHECK_VALUE(dy.defined() && dy.shape() == expected,
                       "conv2d_backward: grad_output must have the output's shape ", expected.str(),
                       ", got ", dy.defined() ? dy.shape().str() : std::string("nothing"));
}

}  // namespace

Tensor conv2d_backward_input(const Tensor& grad_output, const Shape& input_shape,
                             const Tensor& weight, const Conv2dOptions& options) {
  CONVCORE_CHECK_VALUE(weight.defined() && weight.ndim() == 4,
                       "conv2d_backward: weight must be 4-D [K, C/groups, R, S]");
  Conv2dOptions o = resolve_same_padding(options, weight.size(2), weight.size(3), "conv2d_backward");
  if (pads_explicitly(o)) {
    CONVCORE_CHECK_VALUE(input_shape.ndim() == 4, "conv2d_backward: input must be 4-D [N, C, H, W], got shape ",
                         input_shape.str());
    const auto& p = o.padding;
    const Shape padded{input_shape[0], input_shape[1], input_shape[2] + p[2] + p[3],
                       input_shape[3] + p[0] + p[1]};
    const Tensor dxp = conv2d_backward_input(grad_output, padded, weight, without_padding(o));
    return pad2d_backward(dxp, o.padding, o.padding_mode, input_shape[2], input_shape[3]);
  }
  o.padding_mode = PaddingMode::Zeros;
  const Conv2dGeometry g = make_conv2d_geometry(input_shape, weight.shape(), o, "conv2d_backward");
  check_half_grad_output(grad_output, g);
  if (input_shape.numel() == 0 || grad_output.numel() == 0) return Tensor::zeros(input_shape);
  return backward_data(g, conv2d_plan(g), grad_output, weight);
}

Tensor conv2d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_shape, const Conv2dOptions& options) {
  CONVCORE_CHECK_VALUE(weight_shape.ndim() == 4,
                       "conv2d_backward: weight must be 4-D [K, C/groups, R, S], got shape ",
                       weight_shape.str());
  CONVCORE_CHECK_VALUE(input.defined(), "conv2d_backward: input is required");
  Conv2dOptions o = resolve_same_padding(options, weight_shape[2], weight_shape[3], "conv2d_backward");
  if (pads_explicitly(o)) {
    CONVCORE_CHECK_VALUE(input.ndim() == 4, "conv2d_backward: input must be 4-D [N, C, H, W], got shape ",
                         input.shape().str());
    // A detached input: pad2d records nothing.
    return conv2d_backward_weight(grad_output, pad2d(input.detach(), o.padding, o.padding_mode),
                                  weight_shape, without_padding(o));
  }
  o.padding_mode = PaddingMode::Zeros;
  const Conv2dGeometry g = make_conv2d_geometry(input.shape(), weight_shape, o, "conv2d_backward");
  check_half_grad_output(grad_output, g);
  return backward_weight(g, conv2d_plan(g), grad_output, input);
}

}  // namespace convcore
