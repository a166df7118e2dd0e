// One OptimKernels table per compiled instruction-set level (the kernels of
// kernels/optim_kernels.h); optim_kernels() returns the one for
// convcore::current_isa(), like layer_kernels() for LayerKernels.
#include "convcore/error.h"
#include "kernels/optim_kernels.h"

namespace convcore::kernels {

#define CONVCORE_OPTIM_TABLE(level, ns)                                                  \
  OptimKernels {                                                                         \
    level, ns::sgd_update, ns::adam_update, ns::rmsprop_update, ns::norm_sum_squares,    \
        ns::norm_sum_abs, ns::norm_sum_abs_pow, ns::norm_max_abs, ns::scale_values,      \
        ns::clamp_values                                                                 \
  }

static const OptimKernels kScalarOptim = CONVCORE_OPTIM_TABLE(Isa::Scalar, scalar);
#ifdef CONVCORE_HAVE_AVX2
static const OptimKernels kAvx2Optim = CONVCORE_OPTIM_TABLE(Isa::Avx2, avx2);
#endif
#ifdef CONVCORE_HAVE_AVX512
static const OptimKernels kAvx512Optim = CONVCORE_OPTIM_TABLE(Isa::Avx512, avx512);
#endif

const OptimKernels& optim_kernels_for(Isa isa) {
  switch (isa) {
#ifdef CONVCORE_HAVE_AVX512
    case Isa::Avx512: return kAvx512Optim;
#endif
#ifdef CONVCORE_HAVE_AVX2
    case Isa::Avx2: return kAvx2Optim;
#endif
    case Isa::Scalar: return kScalarOptim;
    default: break;
  }
  throw ValueError(detail::concat("isa: '", isa_name(isa), "' is not compiled into this build"));
}

const OptimKernels& optim_kernels() { return optim_kernels_for(current_isa()); }

}  // namespace convcore::kernels
