// The elementwise losses: binary cross-entropy on logits and mean squared
// error, forward and backward, with their autograd nodes; and the
// reduction names every loss takes.
//
// Values are computed per element in double and summed in fixed chunks
// (losses::fixed_chunk_sum), so a reduced loss does not depend on the
// thread count. mse_loss with broadcast shapes or a weight is composed of
// the differentiable tensor ops instead (rare, and PyTorch warns about the
// first).
#include <cmath>

#include "convcore/autograd.h"
#include "convcore/ops/loss.h"
#include "convcore/ops/tensor_ops.h"
#include "ops/loss_common.h"

namespace convcore {

Reduction parse_reduction(const std::string& name) {
  if (name == "none") return Reduction::None;
  if (name == "mean") return Reduction::Mean;
  if (name == "sum") return Reduction::Sum;
  throw ValueError(detail::concat("reduction: expected 'none', 'mean' or 'sum', got '", name, "'"));
}

const char* reduction_name(Reduction r) {
  switch (r) {
    case Reduction::None: return "none";
    case Reduction::Mean: return "mean";
    case Reduction::Sum: return "sum";
  }
  return "?";
}

namespace {

// out = per-element values (none) or their sum / mean over all elements.
template <class Value>
Tensor reduce_elements(const Shape& shape, Reduction r, const Value& value) {
  return losses::reduce_values(shape, r, value, static_cast<double>(shape.numel()));
}

// The scale of element i's gradient.
struct ElementScale {
  const float* g;
  Reduction r;
  double inv_n;
  double at(int64_t i) const {
    if (r == Reduction::None) return g[i];
    return r == Reduction::Sum ? g[0] : g[0] * inv_n;
  }
};

// ---- binary cross-entropy with logits ----

// A weight broadcast to the input's shape (undefined stays undefined).
Tensor broadcast_to_input(const Tensor& t, const Shape& shape, const char* op, const char* arg) {
  if (!t.defined()) return t;
  layers::check_tensor(t, op, arg);
  bool fits = true;
  try {
    fits = broadcast_shapes(t.shape(), shape, op) == shape;
  } catch (const ValueError&) {
    fits = false;
  }
  CONVCORE_CHECK_VALUE(fits, op, ": ", arg, " of shape ", t.shape().str(),
                       " does not broadcast to the input's shape ", shape.str());
  return t.shape() == shape ? t : expand_copy(t, shape);
}

void check_bce(const Tensor& x, const Tensor& y, const char* op) {
  layers::check_tensor(x, op, "input");
  layers::check_tensor(y, op, "target");
  CONVCORE_CHECK_VALUE(y.shape() == x.shape(), op, ": target size ", y.shape().str(),
                       " must be the same as input size ", x.shape().str());
}

// softplus(-x) = log(1 + e^-x), without overflow for either sign.
inline double softplus_neg(double x) { return std::max(-x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

struct BceTerms {
  const float *x, *y, *w, *pw;  // w, pw: null when not given
  double loss(int64_t i) const {
    const double xv = x[i], yv = y[i];
    const double l = pw ? 1.0 + (pw[i] - 1.0) * yv : 1.0;
    const double v = (1.0 - yv) * xv + l * softplus_neg(xv);
    return w ? w[i] * v : v;
  }
};

struct BceBackward : Node {
  Tensor weight, pos_weight;  // broadcast to the input's shape
  Reduction reduction;
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& x = inputs[0];
    const Tensor& y = inputs[1];
    LossGrads r = binary_cross_entropy_with_logits_backward(
        g, x, y, weight, reduction, pos_weight, {x.requires_grad(), y.requires_grad()});
    return {r.input, r.target};
  }
  const char* name() const override { return "BinaryCrossEntropyWithLogitsBackward"; }
};

// ---- mean squared error ----

struct MseBackward : Node {
  Reduction reduction;
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& x = inputs[0];
    const Tensor& y = inputs[1];
    LossGrads r = mse_loss_backward(g, x, y, reduction, {x.requires_grad(), y.requires_grad()});
    return {r.input, r.target};
  }
  const char* name() const override { return "MseLossBackward"; }
};

Tensor reduce_composite(const Tensor& t, Reduction r) {
  if (r == Reduction::None) return t;
  return r == Reduction::Sum ? sum(t) : mean(t);
}

}  // namespace

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, Reduction reduction,
                                        const Tensor& pos_weight) {
  const char* op = "binary_cross_entropy_with_logits";
  check_bce(input, target, op);
  const Tensor w = broadcast_to_input(weight, input.shape(), op, "weight");
  const Tensor pw = broadcast_to_input(pos_weight, input.shape(), op, "pos_weight");
  const BceTerms terms{input.data(), target.data(), w.defined() ? w.data() : nullptr,
                       pw.defined() ? pw.data() : nullptr};
  Tensor out = reduce_elements(input.shape(), reduction, [&](int64_t i) { return terms.loss(i); });
  if (any_requires_grad({input, target})) {
    auto node = std::make_shared<BceBackward>();
    node->weight = w.defined() ? w.detach() : w;
    node->pos_weight = pw.defined() ? pw.detach() : pw;
    node->reduction = reduction;
    node->inputs = {input, target};
    set_history(out, node);
  }
  return out;
}

LossGrads binary_cross_entropy_with_logits_backward(const Tensor& grad_output, const Tensor& input,
                                                    const Tensor& target, const Tensor& weight,
                                                    Reduction reduction, const Tensor& pos_weight,
                                                    std::array<bool, 2> output_mask) {
  const char* op = "binary_cross_entropy_with_logits_backward";
  check_bce(input, target, op);
  losses::check_grad_output(grad_output, reduction, input.shape(), op);
  const Tensor w = broadcast_to_input(weight, input.shape(), op, "weight");
  const Tensor pw = broadcast_to_input(pos_weight, input.shape(), op, "pos_weight");
  const float* X = input.data();
  const float* Y = target.data();
  const float* W = w.defined() ? w.data() : nullptr;
  const float* PW = pw.defined() ? pw.data() : nullptr;
  const int64_t n = input.numel();
  const ElementScale es{grad_output.data(), reduction, 1.0 / static_cast<double>(n)};
  LossGrads r;
  if (output_mask[0]) r.input = Tensor::empty(input.shape());
  if (output_mask[1]) r.target = Tensor::empty(input.shape());
  float* DX = output_mask[0] ? r.input.data() : nullptr;
  float* DY = output_mask[1] ? r.target.data() : nullptr;
  layers::for_chunks(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const double x = X[i], y = Y[i];
      const double s = es.at(i) * (W ? W[i] : 1.0);
      const double pwm1 = PW ? PW[i] - 1.0 : 0.0;
      // d/dx = (1 - y) - (1 + (pw - 1) y) sigmoid(-x); sigmoid(-x) = 1 / (1 + e^x)
      if (DX) {
        const double sig_neg = x >= 0 ? std::exp(-x) / (1.0 + std::exp(-x)) : 1.0 / (1.0 + std::exp(x));
        DX[i] = static_cast<float>(s * ((1.0 - y) - (1.0 + pwm1 * y) * sig_neg));
      }
      // d/dy = -x + (pw - 1) softplus(-x)
      if (DY) DY[i] = static_cast<float>(s * (-x + pwm1 * softplus_neg(x)));
    }
  });
  return r;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction,
                const Tensor& weight) {
  const char* op = "mse_loss";
  layers::check_tensor(input, op, "input");
  layers::check_tensor(target, op, "target");
  if (weight.defined()) {
    layers::check_tensor(weight, op, "weight");
    CONVCORE_CHECK_VALUE(weight.shape() == input.shape(), op, ": weight must have the input's shape ",
                         input.shape().str(), ", got ", weight.shape().str());
  }
  if (weight.defined() || input.shape() != target.shape()) {
    broadcast_shapes(input.shape(), target.shape(), "mse_loss: input and target");
    const Tensor d = sub(input, target);
    Tensor se = mul(d, d);
    if (!weight.defined()) return reduce_composite(se, reduction);
    se = mul(se, weight);
    if (reduction == Reduction::Mean) return div(sum(se), sum(weight));
    return reduce_composite(se, reduction);
  }
  const float* X = input.data();
  const float* Y = target.data();
  Tensor out = reduce_elements(input.shape(), reduction, [&](int64_t i) {
    const double d = static_cast<double>(X[i]) - static_cast<double>(Y[i]);
    return d * d;
  });
  if (any_requires_grad({input, target})) {
    auto node = std::make_shared<MseBackward>();
    node->reduction = reduction;
    node->inputs = {input, target};
    set_history(out, node);
  }
  return out;
}

LossGrads mse_loss_backward(const Tensor& grad_output, const Tensor& input, const Tensor& target,
                            Reduction reduction, std::array<bool, 2> output_mask) {
  const char* op = "mse_loss_backward";
  layers::check_tensor(input, op, "input");
  layers::check_same_shape(target, input.shape(), op, "target", "input");
  losses::check_grad_output(grad_output, reduction, input.shape(), op);
  const float* X = input.data();
  const float* Y = target.data();
  const int64_t n = input.numel();
  const ElementScale es{grad_output.data(), reduction, 1.0 / static_cast<double>(n)};
  LossGrads r;
  if (output_mask[0]) r.input = Tensor::empty(input.shape());
  if (output_mask[1]) r.target = Tensor::empty(input.shape());
  float* DX = output_mask[0] ? r.input.data() : nullptr;
  float* DY = output_mask[1] ? r.target.data() : nullptr;
  layers::for_chunks(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const double v = 2.0 * es.at(i) * (static_cast<double>(X[i]) - static_cast<double>(Y[i]));
      if (DX) DX[i] = static_cast<float>(v);
      if (DY) DY[i] = static_cast<float>(-v);
    }
  });
  return r;
}

}  // namespace convcore
