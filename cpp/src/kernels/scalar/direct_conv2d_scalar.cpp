// The direct convolution kernels of direct_conv2d.inc, compiled for scalar.
#define CONVCORE_ISA_NS scalar
#define CONVCORE_DIRECT_NR 8
#define CONVCORE_DIRECT_MAXP 4
#define CONVCORE_DIRECT_WEIGHT_POSITIONS 1
#include "kernels/direct_conv2d.inc"
