// convcore's public C++ API in one include.
#pragma once

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/activation.h"
#include "convcore/ops/conv.h"
#include "convcore/ops/dropout.h"
#include "convcore/ops/linear.h"
#include "convcore/ops/loss.h"
#include "convcore/ops/norm.h"
#include "convcore/ops/pad.h"
#include "convcore/ops/tensor_ops.h"
#include "convcore/random.h"
#include "convcore/runtime.h"
#include "convcore/shape.h"
#include "convcore/tensor.h"
