// The pooling kernels of pooling.inc, compiled for avx512 (16 floats per vector).
#define CONVCORE_ISA_NS avx512
#define CONVCORE_POOL_LANES 16
#include "kernels/pooling.inc"
