// Losses with PyTorch's semantics: cross-entropy (class indices or class
// probabilities, class weights, ignore_index, label smoothing), negative
// log-likelihood, binary cross-entropy on logits, mean squared error.
// All are numerically stable: cross-entropy goes through log_softmax
// (log-sum-exp), the binary loss through softplus(-x) = max(-x, 0) +
// log1p(e^-|x|). Sums are accumulated in double in a fixed order.
// Each loss records autograd nodes; the *_backward functions are the same
// gradients as explicit calls.
// Deliberately left out: the deprecated size_average/reduce arguments
// (the Python layer maps them to a reduction), losses other than these.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "convcore/shape.h"
#include "convcore/tensor.h"

namespace convcore {

enum class Reduction { None, Mean, Sum };
// "none", "mean" or "sum"; anything else is a ValueError naming `reduction`.
Reduction parse_reduction(const std::string& name);
const char* reduction_name(Reduction r);

// Class indices (NumPy int64 in Python): values in row-major order and
// their shape, [N] or [N, d1, ...] (0-d for an unbatched [C] input).
struct ClassTarget {
  std::vector<int64_t> values;
  Shape shape;
};

// ---- class-index losses (loss_class.cpp) ----
// input: [N, C], [N, C, d1, ...] or [C] log-probabilities; target: [N],
// [N, d1, ...] or [] with values in [0, C) or equal to ignore_index
// (ValueError otherwise); weight: [C] or undefined.
//   loss_n = -weight[t_n] * input[n, t_n]   (0 where t_n == ignore_index)
// Reduction none: [N, d1, ...]; sum; mean: divided by the sum of
// weight[t_n] over the samples not ignored (NaN if that is 0).
Tensor nll_loss(const Tensor& input, const ClassTarget& target, const Tensor& weight = Tensor(),
                int64_t ignore_index = -100, Reduction reduction = Reduction::Mean);
// grad_output: like the loss -> the gradient w.r.t. input. With
// label_smoothing eps: the loss (1 - eps) nll + eps/C * sum_c -weight[c]
// input[n, c], which is what cross_entropy puts on top of log_softmax.
Tensor nll_loss_backward(const Tensor& grad_output, const Tensor& input, const ClassTarget& target,
                         const Tensor& weight, int64_t ignore_index, Reduction reduction,
                         double label_smoothing = 0.0);

// input: [N, C], [N, C, d1, ...] or [C] logits: nll_loss(log_softmax(input,
// class dim)) with label smoothing eps in [0, 1] as above.
Tensor cross_entropy(const Tensor& input, const ClassTarget& target,
                     const Tensor& weight = Tensor(), int64_t ignore_index = -100,
                     Reduction reduction = Reduction::Mean, double label_smoothing = 0.0);
// Class probabilities: target shaped like input. With q = (1 - eps) target
// + eps/C: loss_n = -sum_c weight[c] q[n, c] log_softmax(input)[n, c];
// mean divides by the number of samples (N * d1 * ...).
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                     Reduction reduction = Reduction::Mean, double label_smoothing = 0.0);

struct LossGrads {
  Tensor input, target;  // undefined where not requested (or, for indices, not defined)
};
// The gradients of cross_entropy, through log_softmax.
LossGrads cross_entropy_backward(const Tensor& grad_output, const Tensor& input,
                                 const ClassTarget& target, const Tensor& weight,
                                 int64_t ignore_index, Reduction reduction,
                                 double label_smoothing);
LossGrads cross_entropy_backward(const Tensor& grad_output, const Tensor& input,
                                 const Tensor& target, const Tensor& weight, Reduction reduction,
                                 double label_smoothing,
                                 std::array<bool, 2> output_mask = {true, true});

// ---- elementwise losses (loss_elementwise.cpp) ----
// input, target: [...] of the same shape; weight broadcasts to input's
// shape, pos_weight (the weight of positive examples, usually [C]) too:
//   loss = weight * ((1 - y) x + (1 + (pos_weight - 1) y) softplus(-x))
// Reduction mean divides by the number of elements.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight = Tensor(),
                                        Reduction reduction = Reduction::Mean,
                                        const Tensor& pos_weight = Tensor());
LossGrads binary_cross_entropy_with_logits_backward(const Tensor& grad_output, const Tensor& input,
                                                    const Tensor& target, const Tensor& weight,
                                                    Reduction reduction, const Tensor& pos_weight,
                                                    std::array<bool, 2> output_mask = {true, true});

// input, target: [...]; (x - y)^2. Shapes that differ are broadcast (as
// PyTorch does, which warns). weight: input's shape or undefined; with it,
// mean is sum(weight * (x - y)^2) / sum(weight).
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                const Tensor& weight = Tensor());
// Same-shape input and target, no weight: 2 (x - y) and -2 (x - y), scaled.
LossGrads mse_loss_backward(const Tensor& grad_output, const Tensor& input, const Tensor& target,
                            Reduction reduction, std::array<bool, 2> output_mask = {true, true});

}  // namespace convcore
