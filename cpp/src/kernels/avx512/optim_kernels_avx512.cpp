// The optimizer and gradient-clipping kernels of kernels/optim.inc,
// compiled for avx512.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/optim_kernels.h"

namespace convcore::kernels::avx512 {
#include "kernels/optim.inc"
}  // namespace convcore::kernels::avx512
