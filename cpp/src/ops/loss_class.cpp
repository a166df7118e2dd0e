// The classification losses: nll_loss on log-probabilities, and
// cross_entropy = a class loss on log_softmax(input), for class-index
// targets (with ignore_index and label smoothing) and class-probability
// targets. Each loss is one autograd node on top of log_softmax's.
//
// Layout: input [N, C, D...] is seen as [N, C, D] (an unbatched [C] as
// [1, C, 1]); sample s = n*D + i has its class scores at
// input[(n*C + c)*D + i].
#include <cmath>
#include <limits>

#include "convcore/autograd.h"
#include "convcore/ops/activation.h"
#include "convcore/ops/loss.h"
#include "ops/loss_common.h"

namespace convcore {

namespace {

struct ClassLayout {
  int64_t N, C, D;
  Shape per_sample;  // input's shape without the class dim
  int class_dim;
  int64_t samples() const { return N * D; }
  int64_t at(int64_t s, int64_t c) const { return (s / D * C + c) * D + s % D; }
};

ClassLayout class_layout(const Tensor& input, const char* op) {
  layers::check_tensor(input, op, "input");
  CONVCORE_CHECK_VALUE(input.ndim() >= 1, op,
                       ": input must be [N, C], [N, C, d1, ...] or [C], got a 0-d tensor");
  ClassLayout L;
  if (input.ndim() == 1) {
    L = {1, input.size(0), 1, Shape{}, 0};
    return L;
  }
  std::vector<int64_t> ps{input.size(0)};
  int64_t D = 1;
  for (int i = 2; i < input.ndim(); ++i) {
    ps.push_back(input.size(i));
    D *= input.size(i);
  }
  L = {input.size(0), input.size(1), D, Shape(ps), 1};
  return L;
}

void check_weight(const Tensor& weight, int64_t C, const char* op) {
  if (!weight.defined()) return;
  layers::check_tensor(weight, op, "weight");
  CONVCORE_CHECK_VALUE(weight.ndim() == 1 && weight.size(0) == C, op,
                       ": weight must have shape [", C, "] (one value per class), got ",
                       weight.shape().str());
}

void check_smoothing(double eps, const char* op) {
  CONVCORE_CHECK_VALUE(eps >= 0.0 && eps <= 1.0, op,
                       ": label_smoothing must be between 0.0 and 1.0, got ", eps);
}

// Shape and range of class-index targets.
void check_indices(const ClassLayout& L, const Tensor& input, const ClassTarget& t,
                   int64_t ignore_index, const char* op) {
  CONVCORE_CHECK_VALUE(t.shape == L.per_sample, op, ": target must have shape ",
                       L.per_sample.str(), " (input ", input.shape().str(),
                       " without its class dim), got ", t.shape.str());
  CONVCORE_CHECK_VALUE(static_cast<int64_t>(t.values.size()) == t.shape.numel(), op,
                       ": target holds ", t.values.size(), " values for shape ", t.shape.str());
  for (size_t i = 0; i < t.values.size(); ++i) {
    const int64_t v = t.values[i];
    CONVCORE_CHECK_VALUE(v == ignore_index || (v >= 0 && v < L.C), op, ": target value ", v,
                         " at flat position ", i, " is out of range: class indices must be in [0, ",
                         L.C, ") or equal ignore_index (", ignore_index, ")");
  }
}

// Per-sample loss terms of the class-index loss on log-probabilities lp:
// value (1-eps) (-w_t lp_t) + eps/C sum_c (-w_c lp_c), and the sample's
// weight w_t in the mean's denominator (0 when ignored).
struct ClassLossTerms {
  const float* lp;
  const float* w;  // null: all 1
  const ClassLayout& L;
  const ClassTarget& t;
  int64_t ignore;
  double eps;
  double weight_of(int64_t s) const {
    const int64_t c = t.values[static_cast<size_t>(s)];
    if (c == ignore) return 0.0;
    return w ? static_cast<double>(w[c]) : 1.0;
  }
  double loss(int64_t s) const {
    const int64_t c = t.values[static_cast<size_t>(s)];
    if (c == ignore) return 0.0;
    double v = -(1.0 - eps) * weight_of(s) * lp[L.at(s, c)];
    if (eps > 0.0) {
      double sm = 0.0;
      for (int64_t k = 0; k < L.C; ++k) sm += (w ? w[k] : 1.0) * lp[L.at(s, k)];
      v -= eps / static_cast<double>(L.C) * sm;
    }
    return v;
  }
};

double class_denominator(const ClassLossTerms& terms, int64_t samples) {
  double d = 0.0;
  for (int64_t s = 0; s < samples; ++s) d += terms.weight_of(s);
  return d;
}

// The gradient scale of sample s: grad_output's element, or the scalar
// divided by the mean's denominator.
struct GradScale {
  const float* g;
  Reduction r;
  double denom;
  double at(int64_t s) const {
    if (r == Reduction::None) return g[s];
    return r == Reduction::Sum ? g[0] : g[0] / denom;
  }
};

struct ClassLossBackward : Node {
  ClassTarget target;
  Tensor weight;
  int64_t ignore_index;
  Reduction reduction;
  double eps;
  std::vector<Tensor> backward(const Tensor& g) override {
    return {nll_loss_backward(g, inputs[0], target, weight, ignore_index, reduction, eps)};
  }
  const char* name() const override { return "NllLossBackward"; }
};

Tensor class_loss(const Tensor& lp, const ClassTarget& target, const Tensor& weight,
                  int64_t ignore_index, Reduction reduction, double eps, const char* op) {
  const ClassLayout L = class_layout(lp, op);
  check_indices(L, lp, target, ignore_index, op);
  check_weight(weight, L.C, op);
  check_smoothing(eps, op);
  const ClassLossTerms terms{lp.data(), weight.defined() ? weight.data() : nullptr, L, target,
                             ignore_index, eps};
  const double denom =
      reduction == Reduction::Mean ? class_denominator(terms, L.samples()) : 1.0;
  Tensor out = losses::reduce_values(L.per_sample, reduction, [&](int64_t s) { return terms.loss(s); },
                                     denom);
  if (any_requires_grad({lp})) {
    auto node = std::make_shared<ClassLossBackward>();
    node->target = target;
    node->weight = weight;
    node->ignore_index = ignore_index;
    node->reduction = reduction;
    node->eps = eps;
    node->inputs = {lp};
    set_history(out, node);
  }
  return out;
}

// ---- probability targets ----

void check_soft(const Tensor& input, const Tensor& target, const Tensor& weight, double eps,
                const char* op, ClassLayout& L) {
  L = class_layout(input, op);
  layers::check_same_shape(target, input.shape(), op, "target", "input");
  check_weight(weight, L.C, op);
  check_smoothing(eps, op);
}

// q_c = (1 - eps) y_c + eps / C
inline double smoothed(double y, double eps, int64_t C) {
  return (1.0 - eps) * y + eps / static_cast<double>(C);
}

struct SoftLossBackward : Node {
  Tensor weight;
  Reduction reduction;
  double eps;
  std::vector<Tensor> backward(const Tensor& g) override;
  const char* name() const override { return "SoftTargetCrossEntropyBackward"; }
};

// Gradients of the probability-target loss w.r.t. its log-probabilities
// and its target.
LossGrads soft_loss_backward(const Tensor& g, const Tensor& lp, const Tensor& target,
                             const Tensor& weight, Reduction reduction, double eps,
                             std::array<bool, 2> mask, const char* op) {
  ClassLayout L;
  check_soft(lp, target, weight, eps, op, L);
  losses::check_grad_output(g, reduction, L.per_sample, op);
  const GradScale gs{g.data(), reduction, static_cast<double>(L.samples())};
  const float* LP = lp.data();
  const float* Y = target.data();
  const float* W = weight.defined() ? weight.data() : nullptr;
  LossGrads r;
  if (mask[0]) r.input = Tensor::empty(lp.shape());
  if (mask[1]) r.target = Tensor::empty(lp.shape());
  float* DL = mask[0] ? r.input.data() : nullptr;
  float* DY = mask[1] ? r.target.data() : nullptr;
  layers::parallel_units(L.samples(), L.C, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const double sc = gs.at(s);
      for (int64_t c = 0; c < L.C; ++c) {
        const int64_t i = L.at(s, c);
        const double wc = W ? W[c] : 1.0;
        if (DL) DL[i] = static_cast<float>(-sc * wc * smoothed(Y[i], eps, L.C));
        if (DY) DY[i] = static_cast<float>(-sc * wc * LP[i] * (1.0 - eps));
      }
    }
  });
  return r;
}

std::vector<Tensor> SoftLossBackward::backward(const Tensor& g) {
  const Tensor& lp = inputs[0];
  const Tensor& y = inputs[1];
  LossGrads r = soft_loss_backward(g, lp, y, weight, reduction, eps,
                                   {lp.requires_grad(), y.requires_grad()}, "cross_entropy");
  return {r.input, r.target};
}

Tensor soft_loss(const Tensor& lp, const Tensor& target, const Tensor& weight,
                 Reduction reduction, double eps, const char* op) {
  ClassLayout L;
  check_soft(lp, target, weight, eps, op, L);
  const float* LP = lp.data();
  const float* Y = target.data();
  const float* W = weight.defined() ? weight.data() : nullptr;
  auto value = [&](int64_t s) {
    double v = 0.0;
    for (int64_t c = 0; c < L.C; ++c) {
      const int64_t i = L.at(s, c);
      v -= (W ? W[c] : 1.0) * smoothed(Y[i], eps, L.C) * LP[i];
    }
    return v;
  };
  // Mean over samples; no samples gives NaN, as PyTorch.
  const double denom = L.samples() > 0 ? static_cast<double>(L.samples())
                                       : std::numeric_limits<double>::quiet_NaN();
  Tensor out = losses::reduce_values(L.per_sample, reduction, value, denom);
  if (any_requires_grad({lp, target})) {
    auto node = std::make_shared<SoftLossBackward>();
    node->weight = weight;
    node->reduction = reduction;
    node->eps = eps;
    node->inputs = {lp, target};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor nll_loss(const Tensor& input, const ClassTarget& target, const Tensor& weight,
                int64_t ignore_index, Reduction reduction) {
  return class_loss(input, target, weight, ignore_index, reduction, 0.0, "nll_loss");
}

Tensor nll_loss_backward(const Tensor& grad_output, const Tensor& input, const ClassTarget& target,
                         const Tensor& weight, int64_t ignore_index, Reduction reduction,
                         double label_smoothing) {
  const char* op = "nll_loss_backward";
  const ClassLayout L = class_layout(input, op);
  check_indices(L, input, target, ignore_index, op);
  check_weight(weight, L.C, op);
  check_smoothing(label_smoothing, op);
  losses::check_grad_output(grad_output, reduction, L.per_sample, op);
  const double eps = label_smoothing;
  const float* W = weight.defined() ? weight.data() : nullptr;
  const ClassLossTerms terms{input.data(), W, L, target, ignore_index, eps};
  const GradScale gs{grad_output.data(), reduction,
                     reduction == Reduction::Mean ? class_denominator(terms, L.samples()) : 1.0};
  Tensor dx = Tensor::zeros(input.shape());
  float* D = dx.data();
  layers::parallel_units(L.samples(), L.C, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t t = target.values[static_cast<size_t>(s)];
      if (t == ignore_index) continue;
      const double sc = gs.at(s);
      if (eps > 0.0) {
        const double k = sc * eps / static_cast<double>(L.C);
        for (int64_t c = 0; c < L.C; ++c) D[L.at(s, c)] = static_cast<float>(-k * (W ? W[c] : 1.0));
      }
      const int64_t i = L.at(s, t);
      D[i] = static_cast<float>(D[i] - sc * (1.0 - eps) * terms.weight_of(s));
    }
  });
  return dx;
}

Tensor cross_entropy(const Tensor& input, const ClassTarget& target, const Tensor& weight,
                     int64_t ignore_index, Reduction reduction, double label_smoothing) {
  const char* op = "cross_entropy";
  const ClassLayout L = class_layout(input, op);
  // Check everything before any work, so errors name cross_entropy's arguments.
  check_indices(L, input, target, ignore_index, op);
  check_weight(weight, L.C, op);
  check_smoothing(label_smoothing, op);
  return class_loss(log_softmax(input, L.class_dim), target, weight, ignore_index, reduction,
                    label_smoothing, op);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     Reduction reduction, double label_smoothing) {
  const char* op = "cross_entropy";
  ClassLayout L;
  check_soft(input, target, weight, label_smoothing, op, L);
  return soft_loss(log_softmax(input, L.class_dim), target, weight, reduction, label_smoothing,
                   op);
}

LossGrads cross_entropy_backward(const Tensor& grad_output, const Tensor& input,
                                 const ClassTarget& target, const Tensor& weight,
                                 int64_t ignore_index, Reduction reduction,
                                 double label_smoothing) {
  const ClassLayout L = class_layout(input, "cross_entropy_backward");
  NoGradGuard no_grad;
  const Tensor lp = log_softmax(input, L.class_dim);
  const Tensor dlp =
      nll_loss_backward(grad_output, lp, target, weight, ignore_index, reduction, label_smoothing);
  return {log_softmax_backward(dlp, lp, L.class_dim), Tensor()};
}

LossGrads cross_entropy_backward(const Tensor& grad_output, const Tensor& input,
                                 const Tensor& target, const Tensor& weight, Reduction reduction,
                                 double label_smoothing, std::array<bool, 2> output_mask) {
  const char* op = "cross_entropy_backward";
  const ClassLayout L = class_layout(input, op);
  NoGradGuard no_grad;
  const Tensor lp = log_softmax(input, L.class_dim);
  LossGrads r = soft_loss_backward(grad_output, lp, target, weight, reduction, label_smoothing,
                                   {output_mask[0], output_mask[1]}, op);
  if (output_mask[0]) r.input = log_softmax_backward(r.input, lp, L.class_dim);
  return r;
}

}  // namespace convcore
