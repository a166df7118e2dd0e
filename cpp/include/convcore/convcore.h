// convcore's public C++ API in one include.
#pragma once

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/conv.h"
#include "convcore/ops/conv1d.h"
#include "convcore/ops/conv3d.h"
#include "convcore/ops/conv_connection_table.h"
#include "convcore/ops/conv_transpose.h"
#include "convcore/ops/pad.h"
#include "convcore/ops/signal.h"
#include "convcore/ops/pooling.h"
#include "convcore/ops/tensor_ops.h"
#include "convcore/runtime.h"
#include "convcore/shape.h"
#include "convcore/tensor.h"
