// Argument checks and output sizes shared by the pooling ops.
#include "ops/pool_geometry.h"

#include <sstream>

#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"

namespace convcore {

namespace {

std::string list_str(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

const char* layout(int dims, bool batched) {
  static const char* const forms[2][3] = {{"[C, W]", "[C, H, W]", "[C, D, H, W]"},
                                          {"[N, C, W]", "[N, C, H, W]", "[N, C, D, H, W]"}};
  return forms[batched ? 1 : 0][dims - 1];
}

}  // namespace

std::string pool_name(const char* family, int dims) {
  return std::string(family) + std::to_string(dims) + "d";
}

bool check_pool_input(const Tensor& input, int dims, const std::string& what) {
  CONVCORE_CHECK_VALUE(dims >= 1 && dims <= 3, what, ": dims must be 1, 2 or 3, got ", dims);
  CONVCORE_CHECK_VALUE(input.defined(), what, ": input is an undefined tensor");
  CONVCORE_CHECK_TYPE(input.device() == Device::CPU, what, ": input must be a CPU tensor");
  const int nd = input.ndim();
  CONVCORE_CHECK_VALUE(nd == dims + 1 || nd == dims + 2, what, ": input must be ",
                       layout(dims, true), " or ", layout(dims, false), ", got shape ",
                       input.shape().str());
  for (int i = nd - dims - 1; i < nd; ++i)
    CONVCORE_CHECK_VALUE(input.shape()[i] > 0, what,
                         ": input must have a positive number of channels and positive spatial "
                         "sizes (only the batch may be empty), got shape ",
                         input.shape().str());
  return nd == dims + 1;
}

Tensor add_batch_dim(const Tensor& x) {
  std::vector<int64_t> s = x.shape().vec();
  s.insert(s.begin(), 1);
  return reshape(x, s);
}

Tensor drop_batch_dim(const Tensor& x) {
  std::vector<int64_t> s = x.shape().vec();
  s.erase(s.begin());
  return reshape(x, s);
}

std::vector<int64_t> per_dim(const std::vector<int64_t>& values, int dims, const char* arg,
                             const std::string& what) {
  CONVCORE_CHECK_VALUE(values.size() == 1 || values.size() == static_cast<size_t>(dims), what,
                       ": ", arg, " must have 1 or ", dims, " entries, got ", list_str(values));
  if (values.size() == 1) return std::vector<int64_t>(static_cast<size_t>(dims), values[0]);
  return values;
}

int64_t plane_numel(const Shape& s, int dims) {
  int64_t n = 1;
  for (int i = s.ndim() - dims; i < s.ndim(); ++i) n *= s[i];
  return n;
}

int64_t plane_count(const Shape& s, int dims) {
  int64_t n = 1;
  for (int i = 0; i < s.ndim() - dims; ++i) n *= s[i];
  return n;
}

int64_t pool_output_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  const int64_t num = in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  // Floor division: the numerator is negative when the window does not fit.
  int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}

PoolGeometry make_pool_geometry(const Shape& input, int dims, const std::vector<int64_t>& kernel,
                                const std::vector<int64_t>& stride,
                                const std::vector<int64_t>& padding,
                                const std::vector<int64_t>& dilation, bool ceil_mode,
                                const std::string& what) {
  const std::vector<int64_t> k = per_dim(kernel, dims, "kernel_size", what);
  const std::vector<int64_t> s = stride.empty() ? k : per_dim(stride, dims, "stride", what);
  const std::vector<int64_t> p = per_dim(padding, dims, "padding", what);
  const std::vector<int64_t> d = per_dim(dilation, dims, "dilation", what);
  for (int i = 0; i < dims; ++i) {
    CONVCORE_CHECK_VALUE(k[i] > 0, what, ": kernel_size must be positive, got ", list_str(k));
    CONVCORE_CHECK_VALUE(s[i] > 0, what, ": stride must be positive, got ", list_str(s));
    CONVCORE_CHECK_VALUE(d[i] > 0, what, ": dilation must be positive, got ", list_str(d));
    CONVCORE_CHECK_VALUE(p[i] >= 0, what, ": padding must be non-negative, got ", list_str(p));
    CONVCORE_CHECK_VALUE(p[i] <= k[i] / 2, what,
                         ": padding must be at most half of kernel_size, got padding ",
                         list_str(p), " with kernel_size ", list_str(k));
  }
  const int nd = input.ndim();
  std::vector<int64_t> in(input.begin() + (nd - dims), input.end()), out(static_cast<size_t>(dims));
  bool fits = true;
  for (int i = 0; i < dims; ++i) {
    out[i] = pool_output_size(in[i], k[i], s[i], p[i], d[i], ceil_mode);
    fits = fits && out[i] >= 1;
  }
  CONVCORE_CHECK_VALUE(fits, what, ": input of spatial size ", list_str(in),
                       " is too small for kernel_size ", list_str(k), " with dilation ",
                       list_str(d), " and padding ", list_str(p), " (the output would be ",
                       list_str(out), ")");

  PoolGeometry g;
  g.dims = dims;
  g.planes = plane_count(input, dims);
  // Dims missing from a 1-D or 2-D pooling are unit dims with a unit window.
  int64_t a[3][7];  // per slot (D, H, W): in, out, k, s, p, d
  for (int slot = 0; slot < 3; ++slot) {
    const int i = slot - (3 - dims);
    if (i < 0) {
      int64_t unit[7] = {1, 1, 1, 1, 0, 1, 0};
      std::copy(unit, unit + 7, a[slot]);
    } else {
      int64_t v[7] = {in[i], out[i], k[i], s[i], p[i], d[i], 0};
      std::copy(v, v + 7, a[slot]);
    }
  }
  kernels::PoolWindow& w = g.win;
  w.D = a[0][0]; w.H = a[1][0]; w.W = a[2][0];
  w.OD = a[0][1]; w.OH = a[1][1]; w.OW = a[2][1];
  w.kd = a[0][2]; w.kh = a[1][2]; w.kw = a[2][2];
  w.sd = a[0][3]; w.sh = a[1][3]; w.sw = a[2][3];
  w.pd = a[0][4]; w.ph = a[1][4]; w.pw = a[2][4];
  w.dd = a[0][5]; w.dh = a[1][5]; w.dw = a[2][5];
  w.count_include_pad = true;
  w.divisor_override = 0;

  std::vector<int64_t> os(input.begin(), input.begin() + (nd - dims));
  os.insert(os.end(), out.begin(), out.end());
  g.output_shape = Shape(os);
  return g;
}

void check_grad_shape(const Tensor& grad_output, const Shape& expected, const std::string& what) {
  CONVCORE_CHECK_VALUE(grad_output.defined(), what, ": grad_output is an undefined tensor");
  CONVCORE_CHECK_VALUE(grad_output.shape() == expected, what, ": grad_output must have shape ",
                       expected.str(), " (the forward's output), got ", grad_output.shape().str());
}

}  // namespace convcore
