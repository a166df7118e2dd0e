// The optimizer updates of convcore/ops/optim.h: SGD, Adam/AdamW, RMSprop.
// Each checks its options and tensors, turns the options and the step count
// into the float constants of the kernel (computed in double and rounded
// once, as torch rounds its Python-number scalars), and runs the fused
// kernel of kernels/optim.inc in fixed chunks over the threads.
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <utility>

#include "convcore/ops/optim.h"
#include "kernels/optim_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

// Elements per parallel chunk: an update streams 3-5 arrays, so below this
// a thread costs more than it saves. Elementwise, so any split gives the
// same result.
constexpr int64_t kUpdateGrain = 65536;

template <class F>  // f(lo, hi)
void for_update_chunks(int64_t n, const F& f) {
  const int64_t chunks = (n + kUpdateGrain - 1) / kUpdateGrain;
  parallel_for(0, chunks, [&](int64_t c0, int64_t c1, int) {
    f(c0 * kUpdateGrain, std::min(n, c1 * kUpdateGrain));
  });
}

// `name` must be >= 0 (false for NaN too).
void check_non_negative(double v, const char* op, const char* name) {
  CONVCORE_CHECK_VALUE(v >= 0.0, op, ": ", name, " must be >= 0, got ", v);
}

void check_beta(double v, const char* op, const char* name) {
  CONVCORE_CHECK_VALUE(v >= 0.0 && v < 1.0, op, ": ", name, " must be in [0, 1), got ", v);
}

// param and grad, and each state buffer the options use (need = true) or
// not (need = false: must be undefined, so a missing buffer is never
// silently skipped and a stray one never silently ignored).
void check_param_grad(const Tensor& param, const Tensor& grad, const char* op) {
  layers::check_tensor(param, op, "param");
  layers::check_tensor(grad, op, "grad");
  CONVCORE_CHECK_VALUE(grad.shape() == param.shape(), op, ": grad must have the shape of param ",
                       param.shape().str(), ", got ", grad.shape().str());
}

void check_state(const Tensor& buffer, bool need, const Tensor& param, const char* op,
                 const char* name, const char* when) {
  if (!need) {
    CONVCORE_CHECK_VALUE(!buffer.defined(), op, ": ", name, " must be None unless ", when);
    return;
  }
  CONVCORE_CHECK_VALUE(buffer.defined(), op, ": ", name, " is required when ", when);
  layers::check_tensor(buffer, op, name);
  CONVCORE_CHECK_VALUE(buffer.shape() == param.shape(), op, ": ", name,
                       " must have the shape of param ", param.shape().str(), ", got ",
                       buffer.shape().str());
}

float* data_or_null(const Tensor& t) { return t.defined() ? t.data() : nullptr; }

// The kernels take their arrays as __restrict (that is what lets them
// vectorise): no two of param, grad and the state buffers may share memory.
void check_disjoint(std::initializer_list<std::pair<const Tensor*, const char*>> arrays,
                    const char* op) {
  for (auto a = arrays.begin(); a != arrays.end(); ++a) {
    for (auto b = a + 1; b != arrays.end(); ++b) {
      const Tensor &x = *a->first, &y = *b->first;
      if (!x.defined() || !y.defined() || x.numel() == 0 || y.numel() == 0) continue;
      const auto x0 = reinterpret_cast<uintptr_t>(x.data()),
                 y0 = reinterpret_cast<uintptr_t>(y.data());
      const auto x1 = x0 + static_cast<uintptr_t>(x.numel()) * sizeof(float),
                 y1 = y0 + static_cast<uintptr_t>(y.numel()) * sizeof(float);
      CONVCORE_CHECK_VALUE(x1 <= y0 || y1 <= x0, op, ": ", a->second, " and ", b->second,
                           " share memory; each must be a tensor of its own");
    }
  }
}

}  // namespace

void check_sgd_options(const SgdOptions& o) {
  check_non_negative(o.lr, "SGD", "lr");
  check_non_negative(o.momentum, "SGD", "momentum");
  check_non_negative(o.weight_decay, "SGD", "weight_decay");
  CONVCORE_CHECK_VALUE(std::isfinite(o.dampening), "SGD: dampening must be finite, got ",
                       o.dampening);
  CONVCORE_CHECK_VALUE(!o.nesterov || (o.momentum > 0.0 && o.dampening == 0.0),
                       "SGD: nesterov momentum requires momentum > 0 and dampening 0, got "
                       "momentum ",
                       o.momentum, " and dampening ", o.dampening);
}

void check_adam_options(const AdamOptions& o) {
  const char* op = o.decoupled_weight_decay ? "AdamW" : "Adam";
  check_non_negative(o.lr, op, "lr");
  check_non_negative(o.eps, op, "eps");
  check_beta(o.beta1, op, "betas[0]");
  check_beta(o.beta2, op, "betas[1]");
  check_non_negative(o.weight_decay, op, "weight_decay");
}

void check_rmsprop_options(const RmspropOptions& o) {
  check_non_negative(o.lr, "RMSprop", "lr");
  check_non_negative(o.alpha, "RMSprop", "alpha");
  check_non_negative(o.eps, "RMSprop", "eps");
  check_non_negative(o.weight_decay, "RMSprop", "weight_decay");
  check_non_negative(o.momentum, "RMSprop", "momentum");
}

void sgd_update_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                 const SgdOptions& o, bool init_buffer) {
  check_sgd_options(o);
  check_param_grad(param, grad, "SGD");
  const bool use_momentum = o.momentum != 0.0;
  check_state(momentum_buffer, use_momentum, param, "SGD", "momentum_buffer", "momentum != 0");
  check_disjoint({{&param, "param"}, {&grad, "grad"}, {&momentum_buffer, "momentum_buffer"}},
                 "SGD");

  kernels::SgdStep s{};
  s.sign = o.maximize ? -1.0f : 1.0f;
  s.weight_decay = static_cast<float>(o.weight_decay);
  s.momentum = static_cast<float>(o.momentum);
  s.dampening_complement = static_cast<float>(1.0 - o.dampening);
  s.neg_lr = static_cast<float>(-o.lr);
  s.use_momentum = use_momentum;
  s.init_buffer = init_buffer;
  s.nesterov = o.nesterov;

  const auto& k = kernels::optim_kernels();
  float* P = param.data();
  const float* G = grad.data();
  float* B = data_or_null(momentum_buffer);
  for_update_chunks(param.numel(), [&](int64_t lo, int64_t hi) {
    k.sgd(P + lo, G + lo, B ? B + lo : nullptr, hi - lo, s);
  });
}

void adam_update_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq, int64_t step,
                  const AdamOptions& o) {
  check_adam_options(o);
  const char* op = o.decoupled_weight_decay ? "AdamW" : "Adam";
  check_param_grad(param, grad, op);
  check_state(exp_avg, true, param, op, "exp_avg", "always");
  check_state(exp_avg_sq, true, param, op, "exp_avg_sq", "always");
  check_state(max_exp_avg_sq, o.amsgrad, param, op, "max_exp_avg_sq", "amsgrad");
  CONVCORE_CHECK_VALUE(step >= 1, op, ": step must be >= 1 (the count including this step), got ",
                       step);
  check_disjoint({{&param, "param"},
                  {&grad, "grad"},
                  {&exp_avg, "exp_avg"},
                  {&exp_avg_sq, "exp_avg_sq"},
                  {&max_exp_avg_sq, "max_exp_avg_sq"}},
                 op);

  const double t = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(o.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(o.beta2, t);
  kernels::AdamStep s{};
  s.sign = o.maximize ? -1.0f : 1.0f;
  s.l2_decay = o.weight_decay != 0.0 && !o.decoupled_weight_decay;
  s.decoupled_decay = o.weight_decay != 0.0 && o.decoupled_weight_decay;
  s.weight_decay = static_cast<float>(o.weight_decay);
  s.decay_factor = static_cast<float>(1.0 - o.lr * o.weight_decay);
  s.lerp_weight = static_cast<float>(1.0 - o.beta1);
  s.beta2 = static_cast<float>(o.beta2);
  s.one_minus_beta2 = static_cast<float>(1.0 - o.beta2);
  s.bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  s.eps = static_cast<float>(o.eps);
  s.neg_step_size = static_cast<float>(-(o.lr / bias_correction1));
  s.amsgrad = o.amsgrad;

  const auto& k = kernels::optim_kernels();
  float* P = param.data();
  const float* G = grad.data();
  float* M = exp_avg.data();
  float* V = exp_avg_sq.data();
  float* VM = data_or_null(max_exp_avg_sq);
  for_update_chunks(param.numel(), [&](int64_t lo, int64_t hi) {
    k.adam(P + lo, G + lo, M + lo, V + lo, VM ? VM + lo : nullptr, hi - lo, s);
  });
}

void rmsprop_update_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                     const Tensor& grad_avg, const Tensor& momentum_buffer,
                     const RmspropOptions& o) {
  check_rmsprop_options(o);
  check_param_grad(param, grad, "RMSprop");
  check_state(square_avg, true, param, "RMSprop", "square_avg", "always");
  check_state(grad_avg, o.centered, param, "RMSprop", "grad_avg", "centered");
  const bool use_momentum = o.momentum > 0.0;
  check_state(momentum_buffer, use_momentum, param, "RMSprop", "momentum_buffer",
              "momentum > 0");
  check_disjoint({{&param, "param"},
                  {&grad, "grad"},
                  {&square_avg, "square_avg"},
                  {&grad_avg, "grad_avg"},
                  {&momentum_buffer, "momentum_buffer"}},
                 "RMSprop");

  kernels::RmspropStep s{};
  s.sign = o.maximize ? -1.0f : 1.0f;
  s.weight_decay = static_cast<float>(o.weight_decay);
  s.alpha = static_cast<float>(o.alpha);
  s.one_minus_alpha = static_cast<float>(1.0 - o.alpha);
  s.eps = static_cast<float>(o.eps);
  s.momentum = static_cast<float>(o.momentum);
  s.neg_lr = static_cast<float>(-o.lr);
  s.centered = o.centered;
  s.use_momentum = use_momentum;

  const auto& k = kernels::optim_kernels();
  float* P = param.data();
  const float* G = grad.data();
  float* S = square_avg.data();
  float* A = data_or_null(grad_avg);
  float* B = data_or_null(momentum_buffer);
  for_update_chunks(param.numel(), [&](int64_t lo, int64_t hi) {
    k.rmsprop(P + lo, G + lo, S + lo, A ? A + lo : nullptr, B ? B + lo : nullptr, hi - lo, s);
  });
}

}  // namespace convcore
