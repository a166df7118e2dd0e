// The pooling kernels of pooling.inc, compiled for avx2 (8 floats per vector).
#define CONVCORE_ISA_NS avx2
#define CONVCORE_POOL_LANES 8
#include "kernels/pooling.inc"
