// The transpose of transpose.inc, compiled for avx512 (16 x 16 blocks: AVX-512's vectors).
#define CONVCORE_ISA_NS avx512
#define CONVCORE_TRANSPOSE_WIDTH 16
#include "kernels/transpose.inc"
