// The transpose of transpose.inc, compiled for avx2 (8 x 8 blocks: AVX2's vectors).
#define CONVCORE_ISA_NS avx2
#define CONVCORE_TRANSPOSE_WIDTH 8
#include "kernels/transpose.inc"
