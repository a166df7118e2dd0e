// The per-instruction-set kernels of the non-convolution layers:
// activations, softmax, batch norm, local response norm and dropout.
// They sit in their own table, beside KernelTable (kernels.h), and are
// reached through layer_kernels(), filled in runtime/layer_dispatch.cpp.
//
// Every kernel comes from one portable source (kernels/<family>.inc, with
// the exp/log approximations of kernels/vector_math.inc) that each
// kernels/<isa>/layer_kernels_<isa>.cpp compiles inside its own namespace,
// so the compiler vectorises the fixed-width loops for that level.
// Kernels are plain loops over raw pointers: no allocation, no argument
// checks (the ops check), no threads (the ops split the work around them).
// Reductions run over fixed lanes combined in a fixed order, so a result
// depends on the level (which may fuse multiply-adds) but never on threads.
#pragma once

#include <cstdint>

#include "convcore/runtime.h"

namespace convcore::kernels {

// Local response norm constants: divisor d = k + alpha/size * (sum of the
// squares in the channel window), y = x * d^-beta. The window of channel c
// is [c - before, c + after], clipped to [0, C).
struct LrnParams {
  int64_t before, after;
  float alpha_over_size, beta, k;
};

// The relu epilogue of batch norm, seen from its backward passes: the
// gradient passes where the forward's relu((x - mean) * a + b [+ residual])
// was positive, recomputed from x rather than read from the output (one
// stream less).
struct BnRelu {
  bool on = false;
  float a = 1.0f, b = 0.0f;         // the forward's affine
  const float* residual = nullptr;  // this plane of the residual, or null
  float* masked = nullptr;          // with a residual: bn_grad_sums stores the masked g here
};

struct LayerKernels {
  Isa isa;

  // ---- elementwise, over n contiguous floats ----
  // y = 1 / (1 + e^-x)
  void (*sigmoid)(const float* x, float* y, int64_t n);
  // y = a * tanh(b * x): tanh with a = b = 1, LeNet's scaled tanh with
  // a = 1.7159, b = 2/3.
  void (*tanh)(const float* x, float* y, int64_t n, float a, float b);
  // y = x > 0 ? x : slope * x, and its backward dx = x > 0 ? g : slope * g
  // (selects: they vectorise here, where FP compares may not trap).
  void (*leaky_relu)(const float* x, float* y, int64_t n, float slope);
  void (*leaky_relu_backward)(const float* g, const float* x, float* dx, int64_t n, float slope);

  // ---- softmax / log-softmax ----
  // Contiguous rows: x, y: [rows][C].
  void (*softmax_rows)(const float* x, float* y, int64_t rows, int64_t C, bool log);
  // One slab with the class dim strided: x, y: [C][inner]; columns [0, width)
  // of the slab, width <= kSoftmaxColumns.
  void (*softmax_columns)(const float* x, float* y, int64_t C, int64_t inner, int64_t width,
                          bool log);
  // Backward from the saved output y: softmax dx = y * (g - sum(g*y)),
  // log-softmax dx = g - e^y * sum(g). Same layouts as the forwards.
  void (*softmax_backward_rows)(const float* g, const float* y, float* dx, int64_t rows,
                                int64_t C, bool log);
  void (*softmax_backward_columns)(const float* g, const float* y, float* dx, int64_t C,
                                   int64_t inner, int64_t width, bool log);

  // ---- batch norm, on one plane of n floats of one channel ----
  // s[0] += sum(x - shift), s[1] += sum((x - shift)^2), summed in double.
  void (*bn_stats)(const float* x, int64_t n, float shift, double* s);
  // y = (x - mean) * a + b, plus r where r is not null, then max(0, .) when relu.
  void (*bn_affine)(const float* x, const float* r, float* y, int64_t n, float mean, float a,
                    float b, bool relu);
  // s[0] += sum(gm), s[1] += sum(gm * (x - mean)), summed in double, where gm
  // is g, or with relu.on g masked to where the forward's relu passed.
  void (*bn_grad_sums)(const float* g, const float* x, int64_t n, float mean, double* s,
                       const BnRelu& relu);
  // dx = a * gm + b * (x - mean) + c, gm as for bn_grad_sums (relu.residual unused).
  void (*bn_input_grad)(const float* g, const float* x, float* dx, int64_t n, float a, float b,
                        float mean, float c, const BnRelu& relu);

  // ---- local response norm, on one image x, y: [C][inner], columns [0, width) ----
  void (*lrn_forward)(const float* x, float* y, int64_t C, int64_t inner, int64_t width,
                      const LrnParams& p);
  // g: the output gradient; dx (written): the input gradient; ring: scratch
  // of (p.before + p.after + 1) * kLrnColumns floats.
  void (*lrn_backward)(const float* g, const float* x, float* dx, int64_t C, int64_t inner,
                       int64_t width, const LrnParams& p, float* ring);

  // ---- dropout ----
  // y[i] = x[i] * scale where the generator's draw for stream position
  // counter + i is >= threshold, else 0 (see kernels/dropout.inc).
  void (*dropout)(const float* x, float* y, int64_t n, uint64_t counter, uint64_t key,
                  uint32_t threshold, float scale);
};

// Columns of a strided softmax slab one call handles (its stack buffers).
constexpr int64_t kSoftmaxColumns = 64;
// Columns of an LRN slab one call handles.
constexpr int64_t kLrnColumns = 64;

// The table of the level in use (convcore::current_isa()), and of a given
// compiled level.
const LayerKernels& layer_kernels();
const LayerKernels& layer_kernels_for(Isa isa);

// The 32-bit draw of a counter-based generator at stream position `counter`
// under `key`: the function dropout.inc vectorises, for the baseline code
// (dropout2d's per-channel masks) and the tests.
uint32_t random_draw(uint64_t counter, uint64_t key);

#define CONVCORE_DECLARE_LAYER_KERNELS(ns)                                                    \
  namespace ns {                                                                              \
  void sigmoid(const float*, float*, int64_t);                                                \
  void tanh(const float*, float*, int64_t, float, float);                                     \
  void leaky_relu(const float*, float*, int64_t, float);                                      \
  void leaky_relu_backward(const float*, const float*, float*, int64_t, float);               \
  void softmax_rows(const float*, float*, int64_t, int64_t, bool);                            \
  void softmax_columns(const float*, float*, int64_t, int64_t, int64_t, bool);                \
  void softmax_backward_rows(const float*, const float*, float*, int64_t, int64_t, bool);     \
  void softmax_backward_columns(const float*, const float*, float*, int64_t, int64_t, int64_t, \
                                bool);                                                        \
  void bn_stats(const float*, int64_t, float, double*);                                       \
  void bn_affine(const float*, const float*, float*, int64_t, float, float, float, bool);     \
  void bn_grad_sums(const float*, const float*, int64_t, float, double*, const BnRelu&);      \
  void bn_input_grad(const float*, const float*, float*, int64_t, float, float, float, float, \
                     const BnRelu&);                                                          \
  void lrn_forward(const float*, float*, int64_t, int64_t, int64_t, const LrnParams&);        \
  void lrn_backward(const float*, const float*, float*, int64_t, int64_t, int64_t,            \
                    const LrnParams&, float*);                                                \
  void dropout(const float*, float*, int64_t, uint64_t, uint64_t, uint32_t, float);           \
  }

CONVCORE_DECLARE_LAYER_KERNELS(scalar)
#ifdef CONVCORE_HAVE_AVX2
CONVCORE_DECLARE_LAYER_KERNELS(avx2)
#endif
#ifdef CONVCORE_HAVE_AVX512
CONVCORE_DECLARE_LAYER_KERNELS(avx512)
#endif

}  // namespace convcore::kernels
