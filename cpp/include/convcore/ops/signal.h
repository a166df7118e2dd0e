// N-d correlation and true convolution of two arrays (1 to 3 dimensions),
// with scipy.signal's semantics for the modes, computed directly in float32:
//
//   correlate(in1, in2)[k] = sum_j in1[k + j - (n2 - 1)] * in2[j]   (full, per dimension)
//   convolve(in1, in2)     = correlate(in1, in2 flipped along every axis)
//
//   Full   every overlap: n1 + n2 - 1 per dimension
//   Same   the size of in1, centred in the full result (offset (n2 - 1) / 2 rounded down)
//   Valid  where one array covers the other: |n1 - n2| + 1; one array must be
//          at least as large as the other in every dimension
//
// Not recorded by autograd (a layer's cross-correlation is conv1d/2d/3d).
// The FFT method and the choice between them are in python/convcore/signal.py.
#pragma once

#include <string>

#include "convcore/tensor.h"

namespace convcore::signal {

enum class Mode { Full, Same, Valid };
Mode parse_mode(const std::string& name);  // 'full', 'same' or 'valid'

// in1: [n...], in2: [m...] with the same number of dimensions (1 to 3),
// neither empty -> the correlation of in1 with in2 in the given mode.
Tensor correlate(const Tensor& in1, const Tensor& in2, Mode mode = Mode::Full);
// in1, in2 as for correlate -> the true convolution of in1 and in2.
Tensor convolve(const Tensor& in1, const Tensor& in2, Mode mode = Mode::Full);

// x: [n...] (1 to 3 dims) -> x reversed along every axis.
Tensor flip_all(const Tensor& x);

}  // namespace convcore::signal
