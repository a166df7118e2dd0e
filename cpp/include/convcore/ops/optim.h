// Optimizer updates and gradient clipping, with torch.optim's formulas.
//
// Each *_update_ is one fused, in-place pass over one parameter: it reads
// the gradient and the state buffers once and writes the parameter and the
// state once (torch's single-tensor path makes a temporary per operation).
// The state lives in caller-owned tensors of the parameter's shape; the
// caller (python/convcore/optim) keeps them, the step counts and the
// per-group options. Updates are elementwise, so results do not depend on
// the thread count; they may differ from torch by a float rounding where a
// level fuses multiply-adds.
// Deliberately left out: sparse gradients, complex numbers, other dtypes,
// multi-tensor (foreach) calls, learning-rate schedules (Python).
#pragma once

#include <cstdint>
#include <vector>

#include "convcore/tensor.h"

namespace convcore {

// torch.optim.SGD's options.
struct SgdOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

// torch.optim.Adam's options; AdamW is Adam with decoupled_weight_decay.
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
  // true: p *= 1 - lr * weight_decay before the update (AdamW); false: the
  // decay is added to the gradient (L2).
  bool decoupled_weight_decay = false;
};

// torch.optim.RMSprop's options.
struct RmspropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
};

// Option checks (ValueError naming the option); the updates run them too.
// SGD: lr >= 0, momentum >= 0, weight_decay >= 0, nesterov needs
// momentum > 0 and dampening 0. Adam: lr, eps, weight_decay >= 0, betas in
// [0, 1). RMSprop: lr, alpha, eps, weight_decay, momentum >= 0.
void check_sgd_options(const SgdOptions& options);
void check_adam_options(const AdamOptions& options);
void check_rmsprop_options(const RmspropOptions& options);

// param, grad: [...] (same shape). momentum_buffer: [...] when
// options.momentum != 0, else undefined. init_buffer: the buffer holds no
// history yet (the first step); it is set to the (decayed) gradient, as
// torch does, instead of being decayed.
void sgd_update_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                 const SgdOptions& options, bool init_buffer);

// param, grad, exp_avg, exp_avg_sq: [...]; max_exp_avg_sq: [...] when
// options.amsgrad, else undefined. step: the step count including this one
// (>= 1), for the bias corrections 1 - beta^step.
void adam_update_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq, int64_t step,
                  const AdamOptions& options);

// param, grad, square_avg: [...]; grad_avg: [...] when options.centered,
// momentum_buffer: [...] when options.momentum > 0, else undefined.
void rmsprop_update_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                     const Tensor& grad_avg, const Tensor& momentum_buffer,
                     const RmspropOptions& options);

// The norm of all the tensors' values together (the norm of their norms):
// norm_type > 0 or +inf (the largest |x|; NaN if any is NaN). Sums run in
// double over fixed chunks, so the result does not depend on the threads.
double total_norm(const std::vector<Tensor>& tensors, double norm_type);

// torch.nn.utils.clip_grad_norm_ on the gradients themselves: every tensor
// is scaled by min(1, max_norm / (total_norm + 1e-6)); returns total_norm.
// error_if_nonfinite: throw std::runtime_error (Python: RuntimeError) if
// the norm is NaN or infinite, leaving the gradients untouched.
double clip_grad_norm_(const std::vector<Tensor>& grads, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// torch.nn.utils.clip_grad_value_: every value clamped to [-clip_value,
// clip_value] in place (NaN stays NaN); clip_value >= 0.
void clip_grad_value_(const std::vector<Tensor>& grads, double clip_value);

}  // namespace convcore
