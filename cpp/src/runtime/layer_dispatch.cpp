// One LayerKernels table per compiled instruction-set level (the layer
// kernels of kernels/layer_kernels.h); layer_kernels() returns the one for
// convcore::current_isa(), like kernels::active() for KernelTable.
#include "convcore/error.h"
#include "kernels/layer_kernels.h"

namespace convcore::kernels {

#define CONVCORE_LAYER_TABLE(level, ns)                                               \
  LayerKernels {                                                                      \
    level, ns::sigmoid, ns::tanh, ns::leaky_relu, ns::leaky_relu_backward,            \
        ns::softmax_rows, ns::softmax_columns, ns::softmax_backward_rows,             \
        ns::softmax_backward_columns, ns::bn_stats, ns::bn_affine, ns::bn_grad_sums, \
        ns::bn_input_grad, ns::lrn_forward, ns::lrn_backward, ns::dropout            \
  }

static const LayerKernels kScalarLayers = CONVCORE_LAYER_TABLE(Isa::Scalar, scalar);
#ifdef CONVCORE_HAVE_AVX2
static const LayerKernels kAvx2Layers = CONVCORE_LAYER_TABLE(Isa::Avx2, avx2);
#endif
#ifdef CONVCORE_HAVE_AVX512
static const LayerKernels kAvx512Layers = CONVCORE_LAYER_TABLE(Isa::Avx512, avx512);
#endif

const LayerKernels& layer_kernels_for(Isa isa) {
  switch (isa) {
#ifdef CONVCORE_HAVE_AVX512
    case Isa::Avx512: return kAvx512Layers;
#endif
#ifdef CONVCORE_HAVE_AVX2
    case Isa::Avx2: return kAvx2Layers;
#endif
    case Isa::Scalar: return kScalarLayers;
    default: break;
  }
  throw ValueError(detail::concat("isa: '", isa_name(isa), "' is not compiled into this build"));
}

const LayerKernels& layer_kernels() { return layer_kernels_for(current_isa()); }

}  // namespace convcore::kernels
