// The transpose of transpose.inc, compiled for scalar (4 x 4 blocks: SSE2's vectors).
#define CONVCORE_ISA_NS scalar
#define CONVCORE_TRANSPOSE_WIDTH 4
#include "kernels/transpose.inc"
