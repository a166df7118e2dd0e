// convcore::signal: direct N-d correlation and convolution (1 to 3 dims).
//
// Every mode is a *valid* correlation of a zero-padded copy of one array
// with the other. With the full result indexed by f, output o is f = o + start,
// start = (full - out) / 2 (0 for full, (n2 - 1) / 2 for same, n2 - 1 for
// valid), and reads in1 from f - (n2 - 1) on: in1 is placed at offset
// before = n2 - 1 - start in a zero buffer of out + n2 - 1 (cropped where
// before is negative). The zero buffer makes every kernel row read a plain
// contiguous run, so the inner loop (correlate_row, kernels/correlate.inc)
// has no bounds checks.
// The smaller array is always the one that slides: when in2 is larger,
// correlate(in1, in2) is computed as correlate(flip(in2), flip(in1)), which
// is the same full result (both equal in1 convolved with flip(in2)).
//
// Threads take rows of the output (od, oh), and pieces of rows when there
// are few rows (1D), so each output element is written by one thread.
// Deliberately left out: complex and float64 data, more than 3 dimensions,
// autograd (these are signal-processing functions, not layers).
#include "convcore/ops/signal.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "convcore/error.h"
#include "kernels/kernels.h"
#include "ops/conv2d_plan.h"  // EvenSplit
#include "runtime/parallel.h"

namespace convcore::signal {

Mode parse_mode(const std::string& name) {
  if (name == "full") return Mode::Full;
  if (name == "same") return Mode::Same;
  if (name == "valid") return Mode::Valid;
  throw ValueError("mode: expected 'full', 'valid' or 'same', got '" + name + "'");
}

namespace {

// Sizes as three dimensions, leading ones 1 for 1-D and 2-D arrays.
struct Box {
  int64_t d[3] = {1, 1, 1};
  int64_t numel() const { return d[0] * d[1] * d[2]; }
};

Box box_of(const Shape& s) {
  Box b;
  for (int i = 0; i < s.ndim(); ++i) b.d[3 - s.ndim() + i] = s[i];
  return b;
}

void check_array(const Tensor& t, const char* name) {
  CONVCORE_CHECK_TYPE(t.defined(), name, " is required");
  CONVCORE_CHECK_TYPE(t.device() == Device::CPU, name, " must be a CPU tensor");
  CONVCORE_CHECK_VALUE(t.ndim() >= 1 && t.ndim() <= 3, name,
                       ": expected a 1-D, 2-D or 3-D array, got shape ", t.shape().str());
  CONVCORE_CHECK_VALUE(t.numel() > 0, name, ": expected a non-empty array, got shape ", t.shape().str());
}

void check_pair(const Tensor& in1, const Tensor& in2) {
  check_array(in1, "in1");
  check_array(in2, "in2");
  CONVCORE_CHECK_VALUE(in1.ndim() == in2.ndim(), "in1 and in2 should have the same dimensionality, got ",
                       in1.ndim(), " and ", in2.ndim(), " dimensions");
}

// y [out] = valid correlation of (x [xs] placed at offset `before` in a zero
// buffer of out + ks - 1; negative offsets crop x) with k [ks].
void correlate_padded(const float* x, const Box& xs, const float* k, const Box& ks, const Box& before,
                      const Box& out, float* y) {
  Box padded, from, to;  // the part [from, to) of x that lands inside the buffer
  for (int i = 0; i < 3; ++i) {
    padded.d[i] = out.d[i] + ks.d[i] - 1;
    from.d[i] = std::max<int64_t>(0, -before.d[i]);
    to.d[i] = std::max(from.d[i], std::min(xs.d[i], padded.d[i] - before.d[i]));
  }
  const int64_t PH = padded.d[1], PW = padded.d[2];
  std::vector<float> xp(static_cast<size_t>(padded.numel()), 0.0f);
  for (int64_t d = from.d[0]; d < to.d[0]; ++d)
    for (int64_t h = from.d[1]; h < to.d[1]; ++h) {
      const float* src = x + (d * xs.d[1] + h) * xs.d[2];
      std::copy(src + from.d[2], src + to.d[2],
                xp.data() + ((d + before.d[0]) * PH + h + before.d[1]) * PW + from.d[2] + before.d[2]);
    }

  const kernels::KernelTable& kt = kernels::active();
  const int64_t rows = out.d[0] * out.d[1], OW = out.d[2], taps = ks.d[0] * ks.d[1];
  // About four units per thread; pieces of a row no shorter than 256 outputs.
  const int64_t threads = parallel_threads(rows * OW);
  const int64_t most_pieces = std::max<int64_t>(1, OW / 256);
  const int64_t pieces =
      rows >= 4 * threads ? 1 : std::clamp((4 * threads + rows - 1) / rows, int64_t{1}, most_pieces);
  const EvenSplit split{OW, pieces};
  parallel_for(0, rows * pieces, [&](int64_t lo, int64_t hi, int) {
    std::vector<const float*> xrows(static_cast<size_t>(taps)), krows(static_cast<size_t>(taps));
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t r = u / pieces, od = r / out.d[1], oh = r % out.d[1];
      const int64_t c0 = split.begin(u % pieces), c1 = split.end(u % pieces);
      for (int64_t kd = 0, t = 0; kd < ks.d[0]; ++kd)
        for (int64_t kh = 0; kh < ks.d[1]; ++kh, ++t) {
          xrows[static_cast<size_t>(t)] = xp.data() + ((od + kd) * PH + oh + kh) * PW + c0;
          krows[static_cast<size_t>(t)] = k + (kd * ks.d[1] + kh) * ks.d[2];
        }
      kt.correlate_row(xrows.data(), krows.data(), taps, ks.d[2], c1 - c0, y + r * OW + c0);
    }
  });
}

}  // namespace

Tensor flip_all(const Tensor& x) {
  check_array(x, "x");
  Tensor r = Tensor::empty(x.shape());
  const float* src = x.data();
  std::reverse_copy(src, src + x.numel(), r.data());  // reversing every axis reverses the buffer
  return r;
}

Tensor correlate(const Tensor& in1, const Tensor& in2, Mode mode) {
  check_pair(in1, in2);
  const Box a = box_of(in1.shape()), b = box_of(in2.shape());
  if (mode == Mode::Valid) {
    bool a_covers = true, b_covers = true;
    for (int i = 0; i < 3; ++i) a_covers &= a.d[i] >= b.d[i], b_covers &= b.d[i] >= a.d[i];
    CONVCORE_CHECK_VALUE(a_covers || b_covers,
                         "in1 and in2: for mode 'valid' one must be at least as large as the other in "
                         "every dimension, got shapes ", in1.shape().str(), " and ", in2.shape().str());
  }
  // The sliding array (kernel) is the smaller one; see the file comment.
  const bool swap = in2.numel() > in1.numel();
  const Tensor x = swap ? flip_all(in2) : in1, k = swap ? flip_all(in1) : in2;
  const Box& ks = swap ? a : b;
  Box out, before;
  std::vector<int64_t> dims;
  for (int i = 0; i < 3; ++i) {
    const int64_t full = a.d[i] + b.d[i] - 1;
    out.d[i] = mode == Mode::Full ? full : mode == Mode::Same ? a.d[i] : std::abs(a.d[i] - b.d[i]) + 1;
    before.d[i] = ks.d[i] - 1 - (full - out.d[i]) / 2;
    if (i >= 3 - in1.ndim()) dims.push_back(out.d[i]);
  }
  Tensor y = Tensor::empty(Shape(dims));
  correlate_padded(x.data(), swap ? b : a, k.data(), ks, before, out, y.data());
  return y;
}

Tensor convolve(const Tensor& in1, const Tensor& in2, Mode mode) {
  check_pair(in1, in2);
  return correlate(in1, flip_all(in2), mode);
}

}  // namespace convcore::signal
