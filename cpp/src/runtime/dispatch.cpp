// One KernelTable per compiled instruction-set level; active() returns the
// one for convcore::current_isa(). Adding a level (NEON) is one entry here.
#include "convcore/error.h"
#include "kernels/kernels.h"

namespace convcore::kernels {

#define CONVCORE_TABLE(level, ns, gemm, gemm_rows, mr, nr)                                   \
  KernelTable {                                                                              \
    level, gemm, gemm_rows, mr, nr, ns::depthwise_forward, ns::depthwise_backward_data,     \
        ns::depthwise_backward_weight, ns::depthwise_cols, ns::direct_conv_forward,           \
        ns::direct_rows_forward, ns::direct_rows_weight, ns::direct_conv_weight,              \
        ns::direct_nr, ns::direct_max_tile,                                                   \
        ns::winograd_filter_f4x3, ns::winograd_input_f4x3, ns::winograd_output_f4x3,          \
        ns::winograd_gather,                                                                  \
        ns::winograd_scatter,                                                                 \
        ns::winograd_grad_output_f4x3, ns::winograd_dot, ns::winograd_filter_grad_f4x3,       \
        ns::winograd_lanes, ns::winograd_dot_rows, ns::winograd_dot_cols, ns::transpose,      \
        ns::correlate_row,                                                                   \
        ns::max_pool_forward, ns::avg_pool_forward, ns::avg_pool_backward, ns::plane_mean    \
  }

static const KernelTable kScalar = CONVCORE_TABLE(Isa::Scalar, scalar, sgemm_kernel_4x16_scalar,
                                                  sgemm_rows_kernel_4x16_scalar, 4, 16);
#ifdef CONVCORE_HAVE_AVX2
static const KernelTable kAvx2 = CONVCORE_TABLE(Isa::Avx2, avx2, sgemm_kernel_6x16_avx2,
                                                sgemm_rows_kernel_6x16_avx2, 6, 16);
#endif
#ifdef CONVCORE_HAVE_AVX512
static const KernelTable kAvx512 =
    CONVCORE_TABLE(Isa::Avx512, avx512, sgemm_kernel_12x32_avx512,
                   sgemm_rows_kernel_12x32_avx512, 12, 32);
#endif

const KernelTable& table_for(Isa isa) {
  switch (isa) {
#ifdef CONVCORE_HAVE_AVX512
    case Isa::Avx512: return kAvx512;
#endif
#ifdef CONVCORE_HAVE_AVX2
    case Isa::Avx2: return kAvx2;
#endif
    case Isa::Scalar: return kScalar;
    default: break;
  }
  throw ValueError(detail::concat("isa: '", isa_name(isa), "' is not compiled into this build"));
}

const KernelTable& active() { return table_for(current_isa()); }

}  // namespace convcore::kernels
