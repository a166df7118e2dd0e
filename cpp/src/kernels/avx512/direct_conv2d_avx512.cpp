// The direct convolution kernels of direct_conv2d.inc, compiled for avx512.
#define CONVCORE_ISA_NS avx512
#define CONVCORE_DIRECT_NR 16
#define CONVCORE_DIRECT_MAXP 24
#define CONVCORE_DIRECT_WEIGHT_POSITIONS 4
#include "kernels/direct_conv2d.inc"
