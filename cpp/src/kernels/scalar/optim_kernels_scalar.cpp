// The optimizer and gradient-clipping kernels of kernels/optim.inc,
// compiled for scalar.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/optim_kernels.h"

namespace convcore::kernels::scalar {
#include "kernels/optim.inc"
}  // namespace convcore::kernels::scalar
