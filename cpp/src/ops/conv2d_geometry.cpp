// Argument checks and output sizes for conv2d: every error a user can cause
// is raised here, before any memory is touched.
#include "ops/conv2d_geometry.h"

#include "convcore/error.h"

namespace convcore {

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before,
                         int64_t pad_after, int64_t dilation) {
  const int64_t eff = dilation * (kernel - 1) + 1;
  const int64_t padded = in + pad_before + pad_after;
  CONVCORE_CHECK_VALUE(padded >= eff, "kernel size: the kernel spans ", eff,
                       " pixels (size ", kernel, ", dilation ", dilation,
                       ") but the padded input is only ", padded, " (input ", in, ", padding ",
                       pad_before, "+", pad_after, ")");
  return (padded - eff) / stride + 1;
}

Conv2dOptions resolve_same_padding(const Conv2dOptions& o, int64_t R, int64_t S, const char* op) {
  if (!o.same) return o;
  CONVCORE_CHECK_VALUE(o.stride[0] == 1 && o.stride[1] == 1, op,
                       ": padding='same' is only supported with stride 1, got stride (", o.stride[0],
                       ", ", o.stride[1], ")");
  Conv2dOptions r = o;
  r.same = false;
  const int64_t th = o.dilation[0] * (R - 1), tw = o.dilation[1] * (S - 1);
  r.padding = {tw / 2, tw - tw / 2, th / 2, th - th / 2};  // odd pixel right / bottom
  return r;
}

Conv2dGeometry make_conv2d_geometry(const Tensor& x, const Tensor& w, const Tensor& b,
                                    const Conv2dOptions& o, const char* op) {
  CONVCORE_CHECK_TYPE(x.defined(), op, ": input is required");
  CONVCORE_CHECK_TYPE(w.defined(), op, ": weight is required");
  const Conv2dGeometry g = make_conv2d_geometry(x.shape(), w.shape(), o, op);
  if (b.defined())
    CONVCORE_CHECK_VALUE(b.ndim() == 1 && b.size(0) == g.K, op, ": bias must have shape [", g.K,
                         "], got ", b.shape().str());
  return g;
}

Conv2dGeometry make_conv2d_geometry(const Shape& x, const Shape& w, const Conv2dOptions& o,
                                    const char* op) {
  CONVCORE_CHECK_VALUE(x.ndim() == 4, op, ": input must be 4-D [N, C, H, W], got shape ", x.str());
  CONVCORE_CHECK_VALUE(w.ndim() == 4, op, ": weight must be 4-D [K, C/groups, R, S], got shape ",
                       w.str());
  for (int i = 0; i < 2; ++i) {
    CONVCORE_CHECK_VALUE(o.stride[i] >= 1, op, ": stride must be positive, got (", o.stride[0],
                         ", ", o.stride[1], ")");
    CONVCORE_CHECK_VALUE(o.dilation[i] >= 1, op, ": dilation must be positive, got (",
                         o.dilation[0], ", ", o.dilation[1], ")");
  }
  for (int64_t p : o.padding)
    CONVCORE_CHECK_VALUE(p >= 0, op, ": padding must be non-negative, got (left, right, top, bottom) = (",
                         o.padding[0], ", ", o.padding[1], ", ", o.padding[2], ", ", o.padding[3], ")");
  CONVCORE_CHECK_VALUE(o.groups >= 1, op, ": groups must be positive, got ", o.groups);

  Conv2dGeometry g{};
  g.N = x[0], g.C = x[1], g.H = x[2], g.W = x[3];
  g.K = w[0], g.R = w[2], g.S = w[3];
  g.G = o.groups;
  CONVCORE_CHECK_VALUE(g.C % g.G == 0, op, ": input channels (", g.C,
                       ") must be divisible by groups (", g.G, ")");
  CONVCORE_CHECK_VALUE(g.K % g.G == 0, op, ": output channels (weight.shape[0] = ", g.K,
                       ") must be divisible by groups (", g.G, ")");
  g.Cg = g.C / g.G, g.Kg = g.K / g.G;
  CONVCORE_CHECK_VALUE(w[1] == g.Cg, op, ": weight.shape[1] must be input channels / groups = ",
                       g.C, "/", g.G, " = ", g.Cg, ", got ", w[1], " (weight shape ", w.str(),
                       ", input shape ", x.str(), ")");
  CONVCORE_CHECK_VALUE(g.K >= 1 && g.R >= 1 && g.S >= 1, op,
                       ": weight must have non-zero sizes, got shape ", w.str());
  g.sh = o.stride[0], g.sw = o.stride[1], g.dh = o.dilation[0], g.dw = o.dilation[1];
  g.pl = o.padding[0], g.pr = o.padding[1], g.pt = o.padding[2], g.pb = o.padding[3];
  g.OH = conv_output_size(g.H, g.R, g.sh, g.pt, g.pb, g.dh);
  g.OW = conv_output_size(g.W, g.S, g.sw, g.pl, g.pr, g.dw);
  return g;
}

}  // namespace convcore
