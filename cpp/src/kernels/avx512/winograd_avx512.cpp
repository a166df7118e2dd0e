// The Winograd transforms of winograd.inc, compiled for avx512: 32 tiles at a
// time (the columns of one GEMM micro-kernel tile); the weight gradient's
// lane sums in 16-lane vectors, 4x4 of them in registers.
#define CONVCORE_ISA_NS avx512
#define CONVCORE_WINOGRAD_LANES 32
#define CONVCORE_WINOGRAD_DOT_WIDTH 16
#define CONVCORE_WINOGRAD_DOT_ROWS 4
#define CONVCORE_WINOGRAD_DOT_COLS 4
#include "kernels/winograd.inc"
