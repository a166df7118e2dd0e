// The Winograd transforms of winograd.inc, compiled for scalar: 16 tiles at a
// time (the columns of one GEMM micro-kernel tile); the weight gradient's
// lane sums in 4-lane vectors, 2x4 of them in registers.
#define CONVCORE_ISA_NS scalar
#define CONVCORE_WINOGRAD_LANES 16
#define CONVCORE_WINOGRAD_DOT_WIDTH 4
#define CONVCORE_WINOGRAD_DOT_ROWS 2
#define CONVCORE_WINOGRAD_DOT_COLS 4
#include "kernels/winograd.inc"
