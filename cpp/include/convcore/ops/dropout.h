// Dropout with PyTorch's semantics: inverted dropout (kept values scaled by
// 1/(1-p), so evaluation is the identity), drawn from convcore's random
// stream (convcore/random.h): reproducible from manual_seed, independent of
// the thread count. dropout2d zeroes whole channels.
// The backward regenerates the mask from the stream positions the forward
// used, so nothing of the input's size is stored.
// Deliberately left out: in-place variants, alpha dropout, dropout1d/3d
// under their own names (dropout2d takes any [N, C, ...] input).
#pragma once

#include "convcore/random.h"
#include "convcore/tensor.h"

namespace convcore {

// input: [...] -> [...]; each element zeroed with probability p, the rest
// multiplied by 1/(1-p) (p = 1 zeroes everything). training=false returns
// input itself. ValueError unless 0 <= p <= 1.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);
// input: [N, C, ...] (at least 2-D) -> the same shape; whole [...] planes of
// each (n, c) zeroed together.
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true);

struct DropoutForward {
  Tensor output;
  RandomSpan span;  // the stream positions the mask was drawn from
};
// The training-mode forward without autograd; channelwise selects dropout2d.
DropoutForward dropout_forward(const Tensor& input, double p, bool channelwise = false);
// grad_output: like the forward's input -> the input gradient: grad_output
// through the same mask (regenerated from span).
Tensor dropout_backward(const Tensor& grad_output, double p, const RandomSpan& span,
                        bool channelwise = false);

}  // namespace convcore
