// The direct convolution kernels of direct_conv2d.inc, compiled for avx2.
#define CONVCORE_ISA_NS avx2
#define CONVCORE_DIRECT_NR 8
#define CONVCORE_DIRECT_MAXP 12
#define CONVCORE_DIRECT_WEIGHT_POSITIONS 2
#include "kernels/direct_conv2d.inc"
