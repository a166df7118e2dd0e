// The correlation kernel of correlate.inc, compiled for avx512.
#define CONVCORE_ISA_NS avx512
#include "kernels/correlate.inc"
