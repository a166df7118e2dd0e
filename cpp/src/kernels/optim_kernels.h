// The per-instruction-set kernels of the optimizers (SGD, Adam/AdamW,
// RMSprop updates) and of gradient clipping (norm sums, scale, clamp). They
// sit in their own table beside KernelTable and LayerKernels, reached
// through optim_kernels(), filled in runtime/optim_dispatch.cpp.
//
// One portable source, kernels/optim.inc, is compiled by each
// kernels/<isa>/optim_kernels_<isa>.cpp inside its own namespace, so the
// compiler vectorises the plain loops (sqrt and division included) for that
// level. Kernels take raw pointers over n contiguous floats: no checks, no
// threads (ops/optim_update.cpp and ops/clip_grad.cpp do both). The step
// constants arrive precomputed in float, rounded from double the way torch
// rounds its Python-number scalars.
#pragma once

#include <cstdint>

#include "convcore/runtime.h"

namespace convcore::kernels {

// SGD: d = sign*g (+ weight_decay*p); with momentum b = init ? d :
// b*momentum + dampening_complement*d, d = nesterov ? d + momentum*b : b;
// p += neg_lr * d.
struct SgdStep {
  float sign, weight_decay, momentum, dampening_complement, neg_lr;
  bool use_momentum, init_buffer, nesterov;
};

// Adam: d = sign*g (+ weight_decay*p, L2); p *= decay_factor (decoupled);
// m = lerp(m, d, lerp_weight); v = v*beta2 + one_minus_beta2*d*d;
// vmax = max(vmax, v) (amsgrad); p += neg_step_size*m / (sqrt(v)/bc2_sqrt + eps).
struct AdamStep {
  float sign, weight_decay, decay_factor, lerp_weight, beta2, one_minus_beta2, bc2_sqrt, eps,
      neg_step_size;
  bool l2_decay, decoupled_decay, amsgrad;
};

// RMSprop: d = sign*g (+ weight_decay*p); s = s*alpha + one_minus_alpha*d*d;
// centered: a = lerp(a, d, one_minus_alpha), r = sqrt(s - a*a) + eps, else
// r = sqrt(s) + eps; momentum: b = b*momentum + d/r, p += neg_lr*b; else
// p += neg_lr*d / r.
struct RmspropStep {
  float sign, weight_decay, alpha, one_minus_alpha, eps, momentum, neg_lr;
  bool centered, use_momentum;
};

struct OptimKernels {
  Isa isa;

  // In place over n floats; buffers a step does not use may be null.
  void (*sgd)(float* param, const float* grad, float* momentum_buffer, int64_t n,
              const SgdStep& s);
  void (*adam)(float* param, const float* grad, float* exp_avg, float* exp_avg_sq,
               float* max_exp_avg_sq, int64_t n, const AdamStep& s);
  void (*rmsprop)(float* param, const float* grad, float* square_avg, float* grad_avg,
                  float* momentum_buffer, int64_t n, const RmspropStep& s);

  // Clipping. Sums in double over fixed lanes folded in a fixed order.
  double (*sum_squares)(const float* x, int64_t n);
  double (*sum_abs)(const float* x, int64_t n);
  double (*sum_abs_pow)(const float* x, int64_t n, double p);  // sum |x|^p
  float (*max_abs)(const float* x, int64_t n);  // NaN if any x is NaN; 0 for n = 0
  void (*scale)(float* x, int64_t n, float s);
  void (*clamp)(float* x, int64_t n, float lo, float hi);  // NaN stays NaN
};

// The table of the level in use (convcore::current_isa()), and of a given
// compiled level.
const OptimKernels& optim_kernels();
const OptimKernels& optim_kernels_for(Isa isa);

#define CONVCORE_DECLARE_OPTIM_KERNELS(ns)                                                       \
  namespace ns {                                                                                 \
  void sgd_update(float*, const float*, float*, int64_t, const SgdStep&);                        \
  void adam_update(float*, const float*, float*, float*, float*, int64_t, const AdamStep&);      \
  void rmsprop_update(float*, const float*, float*, float*, float*, int64_t, const RmspropStep&); \
  double norm_sum_squares(const float*, int64_t);                                                \
  double norm_sum_abs(const float*, int64_t);                                                    \
  double norm_sum_abs_pow(const float*, int64_t, double);                                        \
  float norm_max_abs(const float*, int64_t);                                                     \
  void scale_values(float*, int64_t, float);                                                     \
  void clamp_values(float*, int64_t, float, float);                                              \
  }

CONVCORE_DECLARE_OPTIM_KERNELS(scalar)
#ifdef CONVCORE_HAVE_AVX2
CONVCORE_DECLARE_OPTIM_KERNELS(avx2)
#endif
#ifdef CONVCORE_HAVE_AVX512
CONVCORE_DECLARE_OPTIM_KERNELS(avx512)
#endif

}  // namespace convcore::kernels
