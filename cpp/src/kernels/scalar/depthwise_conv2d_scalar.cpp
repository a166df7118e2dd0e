// The depthwise kernels of depthwise_conv2d.inc, compiled for scalar.
#define CONVCORE_ISA_NS scalar
#define CONVCORE_DW_COLS 16
#include "kernels/depthwise_conv2d.inc"
