// The depthwise kernels of depthwise_conv2d.inc, compiled for scalar.
#define CONVCORE_ISA_NS scalar
#include "kernels/depthwise_conv2d.inc"
