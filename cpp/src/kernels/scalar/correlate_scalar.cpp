// The correlation kernel of correlate.inc, compiled for scalar.
#define CONVCORE_ISA_NS scalar
#include "kernels/correlate.inc"
