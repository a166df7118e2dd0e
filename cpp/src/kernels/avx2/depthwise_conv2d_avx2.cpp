// The depthwise kernels of depthwise_conv2d.inc, compiled for avx2.
#define CONVCORE_ISA_NS avx2
#define CONVCORE_DW_COLS 16
#include "kernels/depthwise_conv2d.inc"
