// The pooling kernels of pooling.inc, compiled for scalar (4 floats per vector).
#define CONVCORE_ISA_NS scalar
#define CONVCORE_POOL_LANES 4
#include "kernels/pooling.inc"
