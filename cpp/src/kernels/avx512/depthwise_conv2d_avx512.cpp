// The depthwise kernels of depthwise_conv2d.inc, compiled for avx512.
#define CONVCORE_ISA_NS avx512
#define CONVCORE_DW_COLS 32
#include "kernels/depthwise_conv2d.inc"
