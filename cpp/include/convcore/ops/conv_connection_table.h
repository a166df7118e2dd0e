// conv2d with a sparse connection table between input and output channels,
// as LeNet-5 wires S2 to C3: output channel k reads input channel c (of its
// group) only where the table says so. The kernels of unconnected pairs take
// no part in the forward pass and get a gradient of exactly zero, so a model
// that starts them at zero keeps them at zero through training.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "convcore/ops/conv.h"
#include "convcore/tensor.h"

namespace convcore {

struct ConnectionTable {
  int64_t out_channels = 0, in_channels = 0;  // K and C/groups
  std::vector<uint8_t> connected;             // [out_channels][in_channels], row-major; nonzero = connected
};

// input: [N, C, H, W], weight: [K, C/groups, R, S], bias: [K] or undefined,
// table: K x C/groups. Returns conv2d(input, weight with unconnected kernels zeroed, bias).
Tensor conv2d_connection_table(const Tensor& input, const Tensor& weight, const ConnectionTable& table,
                               const Tensor& bias = Tensor(),
                               const Conv2dOptions& options = Conv2dOptions());

// grad_output: [N, K, OH, OW]; the others as for conv2d_connection_table.
// The weight gradient is exactly 0 for every unconnected (k, c) kernel.
Conv2dGrads conv2d_connection_table_backward(const Tensor& grad_output, const Tensor& input,
                                             const Tensor& weight, const ConnectionTable& table,
                                             const Conv2dOptions& options = Conv2dOptions(),
                                             std::array<bool, 3> output_mask = {true, true, true});

// weight: [K, C/groups, R, S] -> a copy with the unconnected kernels set to 0 (not recorded).
Tensor apply_connection_table(const Tensor& weight, const ConnectionTable& table);

}  // namespace convcore
