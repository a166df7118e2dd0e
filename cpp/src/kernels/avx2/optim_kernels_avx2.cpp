// The optimizer and gradient-clipping kernels of kernels/optim.inc,
// compiled for avx2.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/optim_kernels.h"

namespace convcore::kernels::avx2 {
#include "kernels/optim.inc"
}  // namespace convcore::kernels::avx2
