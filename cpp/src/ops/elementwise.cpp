// Elementwise ops: add/sub/mul/div with NumPy broadcasting, and the unary
// neg/exp/log/relu/pow, each forward next to its backward.
//
// Broadcasting is planned once per call: size-1 output dims are dropped and
// neighbouring dims that both operands walk the same way are merged, so the
// common cases ([N, C, H, W] + [C, 1, 1], tensor + scalar) become one or two
// loops whose innermost stride is 0 or 1 and vectorises.
// Deliberately left out: in-place variants, type promotion (all float32),
// and fusing chains of elementwise ops.
#include <cmath>

#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

// Elements per parallel chunk: below this, threading costs more than it saves.
constexpr int64_t kGrain = 16384;

void check_defined(const Tensor& t, const char* what, const char* arg) {
  CONVCORE_CHECK_VALUE(t.defined(), what, ": ", arg, " is an undefined tensor");
}

// Output dims after dropping size-1 dims and merging; sa/sb are the element
// strides of a and b along each (0 where that operand is broadcast).
struct BroadcastPlan {
  int nd = 0;
  int64_t size[kMaxDims] = {};
  int64_t sa[kMaxDims] = {}, sb[kMaxDims] = {};
};

// Element strides of a contiguous `s`, right-aligned to `nd` output dims and
// 0 where `s` is missing or has size 1 (broadcast).
void aligned_strides(const Shape& s, const Shape& out, int64_t* st) {
  const int nd = out.ndim(), off = nd - s.ndim();
  int64_t run = 1;
  for (int i = nd - 1; i >= 0; --i) {
    const int j = i - off;
    if (j < 0 || s[j] == 1) {
      st[i] = 0;
    } else {
      st[i] = run;
      run *= s[j];
    }
  }
}

BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const Shape& out) {
  int64_t full_a[kMaxDims], full_b[kMaxDims];
  aligned_strides(a, out, full_a);
  aligned_strides(b, out, full_b);
  BroadcastPlan p;
  for (int i = 0; i < out.ndim(); ++i) {
    if (out[i] == 1) continue;  // contributes nothing to any offset
    if (p.nd > 0) {
      const int k = p.nd - 1;
      // Merge into the previous dim when, for both operands, stepping it once
      // equals stepping all of this dim (contiguous, or both broadcast).
      if (p.sa[k] == full_a[i] * out[i] && p.sb[k] == full_b[i] * out[i]) {
        p.size[k] *= out[i];
        p.sa[k] = full_a[i];
        p.sb[k] = full_b[i];
        continue;
      }
    }
    p.size[p.nd] = out[i];
    p.sa[p.nd] = full_a[i];
    p.sb[p.nd] = full_b[i];
    ++p.nd;
  }
  if (p.nd == 0) {  // every dim has size 1: one element
    p.nd = 1;
    p.size[0] = 1;
  }
  return p;
}

// y[j] = f(a[j * ia], b[j * ib]) for j < n, with the stride-0/1 cases spelled
// out so that the compiler vectorises them.
template <class F>
inline void binary_run(const float* a, int64_t ia, const float* b, int64_t ib, float* y, int64_t n,
                       const F& f) {
  if (ia == 1 && ib == 1) {
    for (int64_t j = 0; j < n; ++j) y[j] = f(a[j], b[j]);
  } else if (ia == 1 && ib == 0) {
    const float bv = b[0];
    for (int64_t j = 0; j < n; ++j) y[j] = f(a[j], bv);
  } else if (ia == 0 && ib == 1) {
    const float av = a[0];
    for (int64_t j = 0; j < n; ++j) y[j] = f(av, b[j]);
  } else {
    for (int64_t j = 0; j < n; ++j) y[j] = f(a[j * ia], b[j * ib]);
  }
}

// out = f(a, b) broadcast to `out_shape` (which a and b must broadcast to).
template <class F>
Tensor apply_binary(const Tensor& a, const Tensor& b, const Shape& out_shape, const F& f) {
  Tensor out = Tensor::empty(out_shape);
  const int64_t n = out.numel();
  if (n == 0) return out;
  const BroadcastPlan p = plan_broadcast(a.shape(), b.shape(), out_shape);
  const int last = p.nd - 1;
  const int64_t inner = p.size[last];
  const float* A = a.data();
  const float* B = b.data();
  float* Y = out.data();
  const int64_t chunks = (n + kGrain - 1) / kGrain;
  parallel_for(0, chunks, [&](int64_t c0, int64_t c1, int) {
    const int64_t hi = std::min(n, c1 * kGrain);
    for (int64_t pos = c0 * kGrain; pos < hi;) {
      int64_t row = pos / inner, col = pos % inner;
      int64_t oa = 0, ob = 0;
      for (int d = last - 1; d >= 0; --d) {  // row -> offsets in a and b
        const int64_t idx = row % p.size[d];
        row /= p.size[d];
        oa += idx * p.sa[d];
        ob += idx * p.sb[d];
      }
      const int64_t len = std::min(inner - col, hi - pos);
      binary_run(A + oa + col * p.sa[last], p.sa[last], B + ob + col * p.sb[last], p.sb[last],
                 Y + pos, len, f);
      pos += len;
    }
  });
  return out;
}

// out = f(x), elementwise.
template <class F>
Tensor apply_unary(const Tensor& x, const F& f) {
  Tensor out = Tensor::empty(x.shape());
  const int64_t n = x.numel();
  const float* X = x.data();
  float* Y = out.data();
  parallel_for(0, (n + kGrain - 1) / kGrain, [&](int64_t c0, int64_t c1, int) {
    const int64_t hi = std::min(n, c1 * kGrain);
    for (int64_t i = c0 * kGrain; i < hi; ++i) Y[i] = f(X[i]);
  });
  return out;
}

// ---- binary ops ----

enum class BinaryOp { Add, Sub, Mul, Div };
const char* const kBinaryName[] = {"add", "sub", "mul", "div"};

struct BinaryBackward : Node {
  BinaryOp op;
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& a = inputs[0];
    const Tensor& b = inputs[1];
    Tensor ga, gb;
    const bool need_a = a.requires_grad(), need_b = b.requires_grad();
    switch (op) {
      case BinaryOp::Add:
        if (need_a) ga = sum_to_shape(g, a.shape());
        if (need_b) gb = sum_to_shape(g, b.shape());
        break;
      case BinaryOp::Sub:
        if (need_a) ga = sum_to_shape(g, a.shape());
        if (need_b) gb = sum_to_shape(neg(g), b.shape());
        break;
      case BinaryOp::Mul:
        if (need_a) ga = sum_to_shape(mul(g, b), a.shape());
        if (need_b) gb = sum_to_shape(mul(g, a), b.shape());
        break;
      case BinaryOp::Div:
        if (need_a) ga = sum_to_shape(div(g, b), a.shape());
        if (need_b) {  // d(a/b)/db = -a / b^2
          Tensor t = apply_binary(g, a, g.shape(), [](float u, float v) { return -u * v; });
          gb = sum_to_shape(apply_binary(t, b, g.shape(), [](float u, float v) { return u / (v * v); }),
                            b.shape());
        }
        break;
    }
    return {ga, gb};
  }
  const char* name() const override {
    static const char* const names[] = {"AddBackward", "SubBackward", "MulBackward", "DivBackward"};
    return names[static_cast<int>(op)];
  }
};

template <class F>
Tensor binary(const Tensor& a, const Tensor& b, BinaryOp op, const F& f) {
  const char* what = kBinaryName[static_cast<int>(op)];
  check_defined(a, what, "a");
  check_defined(b, what, "b");
  Tensor out = apply_binary(a, b, broadcast_shapes(a.shape(), b.shape(), what), f);
  if (any_requires_grad({a, b})) {
    auto node = std::make_shared<BinaryBackward>();
    node->op = op;
    node->inputs = {a, b};
    set_history(out, node);
  }
  return out;
}

// ---- unary ops ----

enum class UnaryOp { Neg, Exp, Log, Relu, Pow };

struct UnaryBackward : Node {
  UnaryOp op;
  float exponent = 0.0f;
  Tensor result;  // exp's output, detached so that the graph has no cycle
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& x = inputs[0];
    switch (op) {
      case UnaryOp::Neg: return {neg(g)};
      case UnaryOp::Exp: return {mul(g, result)};
      case UnaryOp::Log: return {div(g, x)};
      case UnaryOp::Relu:
        // Gradient 0 at x == 0, as PyTorch.
        return {apply_binary(g, x, g.shape(), [](float u, float v) { return v > 0.0f ? u : 0.0f; })};
      case UnaryOp::Pow: {
        const float e = exponent;
        if (e == 0.0f) return {Tensor::zeros(x.shape())};  // x^0 is constant, even at x == 0
        return {apply_binary(g, x, g.shape(),
                             [e](float u, float v) { return u * e * std::pow(v, e - 1.0f); })};
      }
    }
    return {Tensor()};
  }
  const char* name() const override {
    static const char* const names[] = {"NegBackward", "ExpBackward", "LogBackward", "ReluBackward",
                                        "PowBackward"};
    return names[static_cast<int>(op)];
  }
};

template <class F>
Tensor unary(const Tensor& x, UnaryOp op, const char* what, const F& f, float exponent = 0.0f) {
  check_defined(x, what, "input");
  Tensor out = apply_unary(x, f);
  if (any_requires_grad({x})) {
    auto node = std::make_shared<UnaryBackward>();
    node->op = op;
    node->exponent = exponent;
    if (op == UnaryOp::Exp) node->result = out.detach();
    node->inputs = {x};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what) {
  const int nd = std::max(a.ndim(), b.ndim());
  std::vector<int64_t> out(static_cast<size_t>(nd));
  for (int i = 0; i < nd; ++i) {
    const int ia = i - (nd - a.ndim()), ib = i - (nd - b.ndim());
    const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    CONVCORE_CHECK_VALUE(da == db || da == 1 || db == 1, what, ": shapes ", a.str(), " and ",
                         b.str(), " do not broadcast (dimension ", i - nd, " has sizes ", da,
                         " and ", db, "; they must be equal or one of them 1)");
    out[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  return Shape(out);
}

Tensor expand_copy(const Tensor& x, const Shape& shape) {
  CONVCORE_CHECK_VALUE(broadcast_shapes(x.shape(), shape, "expand") == shape,
                       "expand: shape ", x.shape().str(), " cannot be broadcast to ", shape.str());
  return apply_binary(x, x, shape, [](float u, float) { return u; });
}

Tensor add(const Tensor& a, const Tensor& b) {
  return binary(a, b, BinaryOp::Add, [](float u, float v) { return u + v; });
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return binary(a, b, BinaryOp::Sub, [](float u, float v) { return u - v; });
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary(a, b, BinaryOp::Mul, [](float u, float v) { return u * v; });
}
Tensor div(const Tensor& a, const Tensor& b) {
  return binary(a, b, BinaryOp::Div, [](float u, float v) { return u / v; });
}

// Scalars become 0-d tensors: broadcasting gives them stride 0, which the
// inner loop special-cases, and they never need a gradient.
Tensor add(const Tensor& a, float b) { return add(a, Tensor::scalar(b)); }
Tensor add(float a, const Tensor& b) { return add(Tensor::scalar(a), b); }
Tensor sub(const Tensor& a, float b) { return sub(a, Tensor::scalar(b)); }
Tensor sub(float a, const Tensor& b) { return sub(Tensor::scalar(a), b); }
Tensor mul(const Tensor& a, float b) { return mul(a, Tensor::scalar(b)); }
Tensor mul(float a, const Tensor& b) { return mul(Tensor::scalar(a), b); }
Tensor div(const Tensor& a, float b) { return div(a, Tensor::scalar(b)); }
Tensor div(float a, const Tensor& b) { return div(Tensor::scalar(a), b); }

Tensor neg(const Tensor& x) {
  return unary(x, UnaryOp::Neg, "neg", [](float v) { return -v; });
}
Tensor exp(const Tensor& x) {
  return unary(x, UnaryOp::Exp, "exp", [](float v) { return std::exp(v); });
}
Tensor log(const Tensor& x) {
  return unary(x, UnaryOp::Log, "log", [](float v) { return std::log(v); });
}
Tensor relu(const Tensor& x) {
  return unary(x, UnaryOp::Relu, "relu", [](float v) { return v > 0.0f ? v : 0.0f; });
}
Tensor pow(const Tensor& x, float e) {
  // Common exponents skip std::pow: faster, and exact where pow need not be.
  if (e == 2.0f) return unary(x, UnaryOp::Pow, "pow", [](float v) { return v * v; }, e);
  if (e == 1.0f) return unary(x, UnaryOp::Pow, "pow", [](float v) { return v; }, e);
  if (e == 0.5f) return unary(x, UnaryOp::Pow, "pow", [](float v) { return std::sqrt(v); }, e);
  if (e == -1.0f) return unary(x, UnaryOp::Pow, "pow", [](float v) { return 1.0f / v; }, e);
  return unary(x, UnaryOp::Pow, "pow", [e](float v) { return std::pow(v, e); }, e);
}

}  // namespace convcore
