// The layer kernels (activations, softmax, batch norm, LRN, dropout) of
// kernels/*.inc, compiled for avx2.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/layer_kernels.h"

namespace convcore::kernels::avx2 {
namespace {
#include "kernels/vector_math.inc"
#include "kernels/random_draw.inc"
}  // namespace
#include "kernels/activation.inc"
#include "kernels/softmax.inc"
#include "kernels/batch_norm.inc"
#include "kernels/lrn.inc"
#include "kernels/dropout.inc"
}  // namespace convcore::kernels::avx2
