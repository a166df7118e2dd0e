// The Winograd tile transforms of winograd.inc, compiled for avx512
// (32 tiles at a time: the columns of one GEMM micro-kernel tile).
#define CONVCORE_ISA_NS avx512
#define CONVCORE_WINOGRAD_LANES 32
#include "kernels/winograd.inc"
