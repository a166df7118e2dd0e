// The correlation kernel of correlate.inc, compiled for avx2.
#define CONVCORE_ISA_NS avx2
#include "kernels/correlate.inc"
