// Batch normalisation, forward (training and evaluation) and backward, with
// its autograd node.
//
// Per channel, the statistics are one pass of double sums of x - shift and
// (x - shift)^2 (shift: the channel's first value, so that a large mean
// does not cancel the variance away), kernels/batch_norm.inc on each
// [inner] plane. A channel is summed by one thread in a fixed order
// (images in turn), so results do not depend on the thread count. The
// normalisation itself is y = (x - mean_c) * a_c + b_c, over all planes.
// [N, C] inputs (inner == 1) have no planes: their loops run along the
// channels of each row instead, threaded over ranges of channels.
//
// The epilogue relu(bn(x) + residual) rides on the affine pass, and its
// backward on the two gradient passes: a ResNet block's batch norm, add and
// relu cost 3 passes over memory forward and 5 backward (7 with a residual)
// instead of 9 and 8.
#include <cmath>
#include <memory>
#include <vector>

#include "convcore/autograd.h"
#include "convcore/ops/norm.h"
#include "kernels/layer_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

using layers::parallel_units;

struct BnLayout {
  int64_t N, C, inner;
  int64_t per_channel() const { return N * inner; }
};

// The epilogue's residual, when given, is like the input.
void check_residual(const Tensor& r, const Tensor& x, const char* op) {
  if (!r.defined()) return;
  layers::check_tensor(r, op, "residual");
  layers::check_same_shape(r, x.shape(), op, "residual", "input");
}

BnLayout check_input(const Tensor& x, const char* op) {
  layers::check_tensor(x, op, "input");
  CONVCORE_CHECK_VALUE(x.ndim() >= 2 && x.ndim() <= 5, op,
                       ": input must be [N, C], [N, C, L], [N, C, H, W] or [N, C, D, H, W], got ",
                       x.shape().str());
  BnLayout L{x.size(0), x.size(1), 1};
  for (int i = 2; i < x.ndim(); ++i) L.inner *= x.size(i);
  return L;
}

// s[2c] += sum over channel c of (x - shift[c]), s[2c+1] += of its square.
void channel_stats(const float* X, const BnLayout& L, const float* shift, double* s) {
  const auto& k = kernels::layer_kernels();
  if (L.inner == 1) {
    parallel_units(L.C, L.N, [&](int64_t c0, int64_t c1) {
      for (int64_t n = 0; n < L.N; ++n) {
        const float* row = X + n * L.C;
        for (int64_t c = c0; c < c1; ++c) {
          const double d = static_cast<double>(row[c] - shift[c]);
          s[2 * c] += d;
          s[2 * c + 1] += d * d;
        }
      }
    });
    return;
  }
  // Images outer, channels inner: each image's channels [c0, c1) are one
  // run of memory (planes of a 32x32 map are one page each, and the
  // prefetchers start over on every page a channel-outer loop jumps to),
  // and each channel is still summed image by image, as the thread split
  // must not change.
  parallel_units(L.C, L.per_channel(), [&](int64_t c0, int64_t c1) {
    for (int64_t n = 0; n < L.N; ++n)
      for (int64_t c = c0; c < c1; ++c)
        k.bn_stats(X + (n * L.C + c) * L.inner, L.inner, shift[c], s + 2 * c);
  });
}

// The forward's per-channel affine y = (x - mean) * a + b, as floats: the
// backward's relu mask recomputes it from the same values.
struct ForwardAffine {
  std::vector<float> a, b;
  ForwardAffine(const Tensor& weight, const Tensor& bias, const float* invstd, int64_t C)
      : a(static_cast<size_t>(C)), b(static_cast<size_t>(C)) {
    for (int64_t c = 0; c < C; ++c) {
      const double w = weight.defined() ? weight.data()[c] : 1.0;
      a[static_cast<size_t>(c)] = static_cast<float>(w * invstd[c]);
      b[static_cast<size_t>(c)] = bias.defined() ? bias.data()[c] : 0.0f;
    }
  }
};

// [N, C] inputs, element i of channel c: the forward's value before the
// relu, and the gradient G[i] masked by that relu when fa is given.
float row_pre(const float* X, const float* R, int64_t i, float mean, float a, float b) {
  const float t = (X[i] - mean) * a + b;
  return R ? t + R[i] : t;
}
float row_masked_grad(const float* G, const float* X, const float* R, int64_t i, float mean,
                      const ForwardAffine* fa, int64_t c) {
  if (!fa) return G[i];
  const size_t cc = static_cast<size_t>(c);
  return row_pre(X, R, i, mean, fa->a[cc], fa->b[cc]) > 0.0f ? G[i] : 0.0f;
}

// The relu mask of plane p (offset off) for the backward kernels, or none.
// R: the residual or null; GM: where the masked gradient goes (with R).
kernels::BnRelu plane_relu(const ForwardAffine* fa, const float* R, float* GM, int64_t c,
                           int64_t off) {
  kernels::BnRelu m;
  if (!fa) return m;
  m.on = true;
  m.a = fa->a[static_cast<size_t>(c)];
  m.b = fa->b[static_cast<size_t>(c)];
  if (R) {
    m.residual = R + off;
    m.masked = GM + off;
  }
  return m;
}

// s[2c] += sum over channel c of gm, s[2c+1] += of gm * (x - mean[c]), gm
// the gradient masked by the forward's relu when fa is given (and stored
// into GM when there is a residual R).
void channel_grad_sums(const float* G, const float* X, const BnLayout& L, const float* mean,
                       const ForwardAffine* fa, const float* R, float* GM, double* s) {
  const auto& k = kernels::layer_kernels();
  if (L.inner == 1) {
    parallel_units(L.C, L.N, [&](int64_t c0, int64_t c1) {
      for (int64_t n = 0; n < L.N; ++n)
        for (int64_t c = c0; c < c1; ++c) {
          const int64_t i = n * L.C + c;
          const double g = row_masked_grad(G, X, R, i, mean[c], fa, c);
          if (R && fa) GM[i] = static_cast<float>(g);
          s[2 * c] += g;
          s[2 * c + 1] += g * static_cast<double>(X[i] - mean[c]);
        }
    });
    return;
  }
  parallel_units(L.C, L.per_channel(), [&](int64_t c0, int64_t c1) {
    for (int64_t n = 0; n < L.N; ++n)  // images outer: as channel_stats
      for (int64_t c = c0; c < c1; ++c) {
        const int64_t off = (n * L.C + c) * L.inner;
        k.bn_grad_sums(G + off, X + off, L.inner, mean[c], s + 2 * c,
                       plane_relu(fa, R, GM, c, off));
      }
  });
}

// y = (x - mean[c]) * a[c] + b[c] everywhere, then the epilogue (R: the
// residual or null).
void channel_affine(const float* X, const float* R, float* Y, const BnLayout& L,
                    const float* mean, const ForwardAffine& fa, bool relu) {
  const auto& k = kernels::layer_kernels();
  const float* a = fa.a.data();
  const float* b = fa.b.data();
  if (L.inner == 1) {
    parallel_units(L.N, L.C, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t c = 0; c < L.C; ++c) {
          const int64_t i = n * L.C + c;
          const float t = row_pre(X, R, i, mean[c], a[c], b[c]);
          Y[i] = relu ? (t > 0.0f ? t : 0.0f) : t;
        }
    });
    return;
  }
  parallel_units(L.N * L.C, L.inner, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c = p % L.C, off = p * L.inner;
      k.bn_affine(X + off, R ? R + off : nullptr, Y + off, L.inner, mean[c], a[c], b[c], relu);
    }
  });
}

// dx = a[c] gm + b[c] (x - mean[c]) + c0[c] everywhere, gm the gradient
// masked by the forward's relu when fa is given (G already masked with a
// residual: then fa is null).
void channel_input_grad(const float* G, const float* X, float* D, const BnLayout& L,
                        const float* a, const float* b, const float* mean, const float* c0,
                        const ForwardAffine* fa) {
  const auto& k = kernels::layer_kernels();
  if (L.inner == 1) {
    parallel_units(L.N, L.C, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t c = 0; c < L.C; ++c) {
          const int64_t i = n * L.C + c;
          const float g = row_masked_grad(G, X, nullptr, i, mean[c], fa, c);
          D[i] = a[c] * g + b[c] * (X[i] - mean[c]) + c0[c];
        }
    });
    return;
  }
  parallel_units(L.N * L.C, L.inner, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c = p % L.C, off = p * L.inner;
      k.bn_input_grad(G + off, X + off, D + off, L.inner, a[c], b[c], mean[c], c0[c],
                      plane_relu(fa, nullptr, nullptr, c, off));
    }
  });
}

struct BatchNormBackward : Node {
  bool training = false, relu = false;
  Tensor save_mean, save_invstd;
  // inputs: x, weight, bias (each possibly undefined but x), residual (with one).
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& x = inputs[0];
    const Tensor& w = inputs[1];
    const Tensor& b = inputs[2];
    BatchNormEpilogue epilogue;
    epilogue.relu = relu;
    if (inputs.size() > 3) epilogue.residual = inputs[3];
    BatchNormGrads gr =
        batch_norm_backward(g, x, w, save_mean, save_invstd, training,
                            {x.requires_grad(), w.defined() && w.requires_grad(),
                             b.defined() && b.requires_grad()},
                            epilogue, b);
    if (inputs.size() > 3) return {gr.input, gr.weight, gr.bias, gr.residual};
    return {gr.input, gr.weight, gr.bias};
  }
  const char* name() const override { return "BatchNormBackward"; }
};

}  // namespace

BatchNormForward batch_norm_forward(const Tensor& input, const Tensor& running_mean,
                                    const Tensor& running_var, const Tensor& weight,
                                    const Tensor& bias, bool training, double momentum,
                                    double eps, const BatchNormEpilogue& epilogue) {
  const char* op = "batch_norm";
  const BnLayout L = check_input(input, op);
  layers::check_channel_vector(running_mean, L.C, op, "running_mean");
  layers::check_channel_vector(running_var, L.C, op, "running_var");
  layers::check_channel_vector(weight, L.C, op, "weight");
  layers::check_channel_vector(bias, L.C, op, "bias");
  CONVCORE_CHECK_VALUE(running_mean.defined() == running_var.defined(), op,
                       ": running_mean and running_var must either both be given or neither");
  CONVCORE_CHECK_VALUE(training || running_mean.defined(), op,
                       ": running_mean and running_var must be given in evaluation mode "
                       "(training=False)");
  CONVCORE_CHECK_VALUE(!training || L.per_channel() > 1, op,
                       ": expected more than 1 value per channel when training, got input of shape ",
                       input.shape().str());
  // As PyTorch: a zero eps would divide by zero on a constant channel.
  CONVCORE_CHECK_VALUE(!training || eps > 0.0, op, ": eps must be positive during training, got ",
                       eps);
  CONVCORE_CHECK_VALUE(eps >= 0.0, op, ": eps must be non-negative, got ", eps);
  check_residual(epilogue.residual, input, op);

  const int64_t C = L.C;
  BatchNormForward out;
  out.output = Tensor::empty(input.shape());
  out.save_mean = Tensor::empty(Shape{C});
  out.save_invstd = Tensor::empty(Shape{C});
  float* mean = out.save_mean.data();
  float* invstd = out.save_invstd.data();
  if (training) {
    const int64_t M = L.per_channel();
    std::vector<float> shift(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; ++c) shift[static_cast<size_t>(c)] = input.data()[c * L.inner];
    std::vector<double> s(static_cast<size_t>(2 * C), 0.0);
    channel_stats(input.data(), L, shift.data(), s.data());
    for (int64_t c = 0; c < C; ++c) {
      const double m1 = s[static_cast<size_t>(2 * c)] / static_cast<double>(M);
      const double var =
          std::max(0.0, s[static_cast<size_t>(2 * c + 1)] / static_cast<double>(M) - m1 * m1);
      const double mu = static_cast<double>(shift[static_cast<size_t>(c)]) + m1;
      mean[c] = static_cast<float>(mu);
      invstd[c] = static_cast<float>(1.0 / std::sqrt(var + eps));
      if (running_mean.defined()) {
        float* rm = running_mean.data();
        float* rv = running_var.data();
        const double unbiased = var * static_cast<double>(M) / static_cast<double>(M - 1);
        rm[c] = static_cast<float>((1.0 - momentum) * rm[c] + momentum * mu);
        rv[c] = static_cast<float>((1.0 - momentum) * rv[c] + momentum * unbiased);
      }
    }
  } else {
    const float* rm = running_mean.data();
    const float* rv = running_var.data();
    for (int64_t c = 0; c < C; ++c) {
      mean[c] = rm[c];
      invstd[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(rv[c]) + eps));
    }
  }
  // y = (x - mean) * (invstd * w) + b, then the epilogue
  const ForwardAffine fa(weight, bias, invstd, C);
  const Tensor& r = epilogue.residual;
  if (input.numel() > 0)
    channel_affine(input.data(), r.defined() ? r.data() : nullptr, out.output.data(), L, mean, fa,
                   epilogue.relu);
  return out;
}

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps, const BatchNormEpilogue& epilogue) {
  BatchNormForward f = batch_norm_forward(input, running_mean, running_var, weight, bias,
                                          training, momentum, eps, epilogue);
  const Tensor& r = epilogue.residual;
  if (any_requires_grad({input, weight, bias, r})) {
    auto node = std::make_shared<BatchNormBackward>();
    node->training = training;
    node->relu = epilogue.relu;
    node->save_mean = f.save_mean;
    node->save_invstd = f.save_invstd;
    node->inputs = {input, weight, bias};
    if (r.defined()) node->inputs.push_back(r);
    set_history(f.output, node);
  }
  return f.output;
}

BatchNormGrads batch_norm_backward(const Tensor& grad_output, const Tensor& input,
                                   const Tensor& weight, const Tensor& save_mean,
                                   const Tensor& save_invstd, bool training,
                                   std::array<bool, 3> output_mask,
                                   const BatchNormEpilogue& epilogue, const Tensor& bias) {
  const char* op = "batch_norm_backward";
  const BnLayout L = check_input(input, op);
  layers::check_same_shape(grad_output, input.shape(), op, "grad_output", "input");
  layers::check_channel_vector(weight, L.C, op, "weight");
  layers::check_channel_vector(bias, L.C, op, "bias");
  check_residual(epilogue.residual, input, op);
  CONVCORE_CHECK_VALUE(save_mean.defined() && save_invstd.defined(), op,
                       ": save_mean and save_invstd are required");
  layers::check_channel_vector(save_mean, L.C, op, "save_mean");
  layers::check_channel_vector(save_invstd, L.C, op, "save_invstd");

  const int64_t C = L.C;
  const float* mean = save_mean.data();
  const float* invstd = save_invstd.data();
  BatchNormGrads g;
  // The relu mask: recomputed in both passes, or, with a residual, applied
  // once into the residual's gradient, which the second pass then reads.
  const Tensor& r = epilogue.residual;
  const bool masked_copy = epilogue.relu && r.defined();
  std::unique_ptr<ForwardAffine> fa;
  if (epilogue.relu) fa = std::make_unique<ForwardAffine>(weight, bias, invstd, C);
  if (masked_copy) g.residual = Tensor::empty(input.shape());
  else if (r.defined()) g.residual = grad_output;  // y = bn(x) + r passes g on unchanged
  const float* G = masked_copy ? g.residual.data() : grad_output.data();

  const bool need_sums = output_mask[1] || output_mask[2] || (output_mask[0] && training);
  std::vector<double> s(static_cast<size_t>(2 * C), 0.0);
  if ((need_sums || masked_copy) && input.numel() > 0)
    channel_grad_sums(grad_output.data(), input.data(), L, mean, fa.get(),
                      masked_copy ? r.data() : nullptr,
                      masked_copy ? g.residual.data() : nullptr, s.data());

  if (output_mask[1]) {  // dw = sum g * xhat
    g.weight = Tensor::empty(Shape{C});
    for (int64_t c = 0; c < C; ++c)
      g.weight.data()[c] = static_cast<float>(s[static_cast<size_t>(2 * c + 1)] * invstd[c]);
  }
  if (output_mask[2]) {  // db = sum g
    g.bias = Tensor::empty(Shape{C});
    for (int64_t c = 0; c < C; ++c) g.bias.data()[c] = static_cast<float>(s[static_cast<size_t>(2 * c)]);
  }
  if (output_mask[0]) {
    // Training: dx = w invstd (g - mean(g) - xhat mean(g xhat))
    //              = a g + b (x - mean) + c0 with
    // a = w invstd, b = -w invstd^3 sum(g (x - mean)) / M, c0 = -w invstd sum(g) / M.
    // Evaluation: the statistics are constants, dx = w invstd g.
    std::vector<float> a(static_cast<size_t>(C)), b(static_cast<size_t>(C), 0.0f),
        c0(static_cast<size_t>(C), 0.0f);
    const double M = static_cast<double>(L.per_channel());
    for (int64_t c = 0; c < C; ++c) {
      const double w = weight.defined() ? weight.data()[c] : 1.0;
      const double is = invstd[c];
      const size_t cc = static_cast<size_t>(c);
      a[cc] = static_cast<float>(w * is);
      if (training) {
        b[cc] = static_cast<float>(-w * is * is * is * s[2 * cc + 1] / M);
        c0[cc] = static_cast<float>(-w * is * s[2 * cc] / M);
      }
    }
    g.input = Tensor::empty(input.shape());
    if (input.numel() > 0)
      channel_input_grad(G, input.data(), g.input.data(), L, a.data(), b.data(), mean, c0.data(),
                         masked_copy ? nullptr : fa.get());
  }
  return g;
}

}  // namespace convcore
