// Argument checks and output sizes for conv3d: every error a user can cause
// is raised here, before any memory is touched.
#include "ops/conv3d_geometry.h"

#include "convcore/error.h"

namespace convcore {

Conv3dOptions resolve_same_padding(const Conv3dOptions& o, int64_t T, int64_t R, int64_t S,
                                   const char* op) {
  if (!o.same) return o;
  CONVCORE_CHECK_VALUE(o.stride[0] == 1 && o.stride[1] == 1 && o.stride[2] == 1, op,
                       ": padding='same' is only supported with stride 1, got stride (", o.stride[0],
                       ", ", o.stride[1], ", ", o.stride[2], ")");
  Conv3dOptions r = o;
  r.same = false;
  const int64_t td = o.dilation[0] * (T - 1), th = o.dilation[1] * (R - 1),
                tw = o.dilation[2] * (S - 1);
  // The odd pixel goes right / bottom / back.
  r.padding = {tw / 2, tw - tw / 2, th / 2, th - th / 2, td / 2, td - td / 2};
  return r;
}

Conv3dGeometry make_conv3d_geometry(const Shape& x, const Shape& w, const Conv3dOptions& o,
                                    const char* op) {
  CONVCORE_CHECK_VALUE(x.ndim() == 5, op, ": input must be 5-D [N, C, D, H, W], got shape ", x.str());
  CONVCORE_CHECK_VALUE(w.ndim() == 5, op, ": weight must be 5-D [K, C/groups, T, R, S], got shape ",
                       w.str());
  for (int i = 0; i < 3; ++i) {
    CONVCORE_CHECK_VALUE(o.stride[i] >= 1, op, ": stride must be positive, got (", o.stride[0], ", ",
                         o.stride[1], ", ", o.stride[2], ")");
    CONVCORE_CHECK_VALUE(o.dilation[i] >= 1, op, ": dilation must be positive, got (", o.dilation[0],
                         ", ", o.dilation[1], ", ", o.dilation[2], ")");
  }
  for (int64_t p : o.padding)
    CONVCORE_CHECK_VALUE(p >= 0, op,
                         ": padding must be non-negative, got (left, right, top, bottom, front, back) = (",
                         o.padding[0], ", ", o.padding[1], ", ", o.padding[2], ", ", o.padding[3], ", ",
                         o.padding[4], ", ", o.padding[5], ")");
  CONVCORE_CHECK_VALUE(o.groups >= 1, op, ": groups must be positive, got ", o.groups);

  Conv3dGeometry g{};
  g.N = x[0], g.C = x[1], g.D = x[2], g.H = x[3], g.W = x[4];
  g.K = w[0], g.T = w[2], g.R = w[3], g.S = w[4];
  g.G = o.groups;
  CONVCORE_CHECK_VALUE(g.C % g.G == 0, op, ": input channels (", g.C, ") must be divisible by groups (",
                       g.G, ")");
  CONVCORE_CHECK_VALUE(g.K % g.G == 0, op, ": output channels (weight.shape[0] = ", g.K,
                       ") must be divisible by groups (", g.G, ")");
  g.Cg = g.C / g.G, g.Kg = g.K / g.G;
  CONVCORE_CHECK_VALUE(w[1] == g.Cg, op, ": weight.shape[1] must be input channels / groups = ", g.C,
                       "/", g.G, " = ", g.Cg, ", got ", w[1], " (weight shape ", w.str(),
                       ", input shape ", x.str(), ")");
  CONVCORE_CHECK_VALUE(g.K >= 1 && g.T >= 1 && g.R >= 1 && g.S >= 1, op,
                       ": weight must have non-zero sizes, got shape ", w.str());
  g.sd = o.stride[0], g.sh = o.stride[1], g.sw = o.stride[2];
  g.dd = o.dilation[0], g.dh = o.dilation[1], g.dw = o.dilation[2];
  g.pl = o.padding[0], g.pr = o.padding[1], g.pt = o.padding[2], g.pb = o.padding[3];
  g.pf = o.padding[4], g.pk = o.padding[5];
  g.OD = conv_output_size(g.D, g.T, g.sd, g.pf, g.pk, g.dd);
  g.OH = conv_output_size(g.H, g.R, g.sh, g.pt, g.pb, g.dh);
  g.OW = conv_output_size(g.W, g.S, g.sw, g.pl, g.pr, g.dw);
  return g;
}

bool backward_input_is_forward(const Conv3dGeometry& g) {
  const int64_t ed = g.dd * (g.T - 1), eh = g.dh * (g.R - 1), ew = g.dw * (g.S - 1);
  return g.sd == 1 && g.sh == 1 && g.sw == 1 && g.pf <= ed && g.pk <= ed && g.pt <= eh &&
         g.pb <= eh && g.pl <= ew && g.pr <= ew;
}

Conv3dGeometry backward_input_as_forward(const Conv3dGeometry& g) {
  Conv3dGeometry t = g;
  t.C = g.K, t.D = g.OD, t.H = g.OH, t.W = g.OW;
  t.K = g.C, t.OD = g.D, t.OH = g.H, t.OW = g.W;
  t.Cg = g.Kg, t.Kg = g.Cg;
  const int64_t ed = g.dd * (g.T - 1), eh = g.dh * (g.R - 1), ew = g.dw * (g.S - 1);
  t.pf = ed - g.pf, t.pk = ed - g.pk, t.pt = eh - g.pt, t.pb = eh - g.pb;
  t.pl = ew - g.pl, t.pr = ew - g.pr;
  return t;
}

}  // namespace convcore
