// linear (fully connected), forward and backward, with its autograd node.
// Every leading dim of the input is folded into the rows of one GEMM:
//   forward  z[R, out] = x[R, in] W^T       (W read as a transposed B)
//   backward dx[R, in] = dz[R, out] W,  dW[out, in] = dz^T x,
//            db[out] = column sums of dz (double, rows in order, threaded
//            over column ranges: independent of the thread count).
#include <vector>

#include "convcore/autograd.h"
#include "convcore/ops/linear.h"
#include "ops/gemm.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

struct LinearDims {
  int64_t rows, in, out;
};

LinearDims check_linear(const Tensor& x, const Tensor& w, const Tensor& b, const char* op) {
  layers::check_tensor(x, op, "input");
  layers::check_tensor(w, op, "weight");
  CONVCORE_CHECK_VALUE(w.ndim() == 2, op, ": weight must be 2-D [out_features, in_features], got ",
                       w.shape().str());
  CONVCORE_CHECK_VALUE(x.ndim() >= 1, op, ": input must have at least 1 dimension [..., ",
                       w.size(1), "], got a 0-d tensor");
  CONVCORE_CHECK_VALUE(x.size(-1) == w.size(1), op, ": input's last dimension (", x.size(-1),
                       ", shape ", x.shape().str(), ") must equal weight's in_features (",
                       w.size(1), ", weight shape ", w.shape().str(), ")");
  if (b.defined()) {
    layers::check_tensor(b, op, "bias");
    CONVCORE_CHECK_VALUE(b.ndim() == 1 && b.size(0) == w.size(0), op, ": bias must have shape [",
                         w.size(0), "] (out_features), got ", b.shape().str());
  }
  int64_t rows = 1;
  for (int i = 0; i + 1 < x.ndim(); ++i) rows *= x.size(i);
  return {rows, w.size(1), w.size(0)};
}

Shape output_shape(const Shape& in, int64_t out) {
  std::vector<int64_t> d = in.vec();
  d.back() = out;
  return Shape(d);
}

struct LinearBackward : Node {
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    const Tensor& b = inputs[2];
    LinearGrads r = linear_backward(
        g, x, w, {x.requires_grad(), w.requires_grad(), b.defined() && b.requires_grad()});
    return {r.input, r.weight, r.bias};
  }
  const char* name() const override { return "LinearBackward"; }
};

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const LinearDims d = check_linear(input, weight, bias, "linear");
  Tensor out = Tensor::empty(output_shape(input.shape(), d.out));
  float* Z = out.data();
  if (out.numel() > 0) {
    // x: [rows, in] row-major; B = W^T: B[k][j] = W[j][k], row stride 1, column stride in.
    sgemm(d.rows, d.out, d.in, input.data(), d.in, 1, weight.data(), 1, d.in, Z, d.out, false);
    if (bias.defined()) {
      const float* B = bias.data();
      layers::parallel_units(d.rows, d.out, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t j = 0; j < d.out; ++j) Z[r * d.out + j] += B[j];
      });
    }
  }
  if (any_requires_grad({input, weight, bias})) {
    auto node = std::make_shared<LinearBackward>();
    node->inputs = {input, weight, bias};
    set_history(out, node);
  }
  return out;
}

LinearGrads linear_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                            std::array<bool, 3> output_mask) {
  const char* op = "linear_backward";
  const LinearDims d = check_linear(input, weight, Tensor(), op);
  layers::check_same_shape(grad_output, output_shape(input.shape(), d.out), op, "grad_output",
                           "the output");
  const float* G = grad_output.data();
  LinearGrads r;
  if (output_mask[0]) {  // dx = dz W: [rows, out] @ [out, in]
    r.input = Tensor::empty(input.shape());
    sgemm(d.rows, d.in, d.out, G, d.out, 1, weight.data(), d.in, 1, r.input.data(), d.in, false);
  }
  if (output_mask[1]) {  // dW = dz^T x: [out, rows] @ [rows, in]
    r.weight = Tensor::empty(weight.shape());
    sgemm(d.out, d.in, d.rows, G, 1, d.out, input.data(), d.in, 1, r.weight.data(), d.in, false);
  }
  if (output_mask[2]) {  // db = sum of dz's rows
    r.bias = Tensor::empty(Shape{d.out});
    float* DB = r.bias.data();
    layers::parallel_units(d.out, d.rows, [&](int64_t j0, int64_t j1) {
      std::vector<double> acc(static_cast<size_t>(j1 - j0), 0.0);
      for (int64_t row = 0; row < d.rows; ++row) {
        const float* gr = G + row * d.out;
        for (int64_t j = j0; j < j1; ++j) acc[static_cast<size_t>(j - j0)] += gr[j];
      }
      for (int64_t j = j0; j < j1; ++j) DB[j] = static_cast<float>(acc[static_cast<size_t>(j - j0)]);
    });
  }
  return r;
}

}  // namespace convcore
