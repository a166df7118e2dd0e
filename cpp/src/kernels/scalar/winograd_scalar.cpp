// The Winograd tile transforms of winograd.inc, compiled for scalar
// (16 tiles at a time: the columns of one GEMM micro-kernel tile).
#define CONVCORE_ISA_NS scalar
#define CONVCORE_WINOGRAD_LANES 16
#include "kernels/winograd.inc"
