// Pieces the pooling op files share beyond argument checks.
#pragma once

#include <vector>

#include "convcore/tensor.h"

namespace convcore {

// Records on `output` (a max over windows of `input`, whose argmax
// positions in each input plane are `indices`) the backward
// max_pool_backward, under the node name `name`.
void attach_max_index_backward(Tensor& output, const Tensor& input, int dims,
                               std::vector<int64_t> indices, const char* name);

}  // namespace convcore
