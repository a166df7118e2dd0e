// matmul with numpy.matmul semantics (1-D operands, broadcast batch dims) and
// its backward, over our blocked sgemm.
//
// A batched a times a plain matrix b ([..., M, K] @ [K, N], the linear-layer
// case) is folded into one [(...)M, K] @ [K, N] GEMM, forward and backward,
// so that it uses every thread on one big product. Other batches run one
// GEMM per matrix: in parallel over matrices when they are small and many,
// else one after another with each GEMM threaded.
// Deliberately left out: integer types, out= buffers, and Strassen-like
// algorithms.
#include "convcore/autograd.h"
#include "convcore/error.h"
#include "convcore/ops/tensor_ops.h"
#include "ops/gemm.h"
#include "runtime/parallel.h"

namespace convcore {

namespace {

// A row-major [rows, cols] matrix, possibly read transposed.
struct MatRef {
  const float* p;
  int64_t rows, cols;
  bool trans;
  int64_t rs() const { return trans ? 1 : cols; }
  int64_t cs() const { return trans ? cols : 1; }
};

Shape batch_of(const Shape& s) {
  std::vector<int64_t> d(s.begin(), s.end() - 2);
  return Shape(d);
}

// Offsets (in matrices) into an operand with batch shape `own` for each
// index of the broadcast batch shape `batch`.
std::vector<int64_t> batch_offsets(const Shape& own, const Shape& batch) {
  const int nd = batch.ndim(), off = nd - own.ndim();
  std::vector<int64_t> stride(static_cast<size_t>(nd), 0);
  for (int64_t i = nd - 1, run = 1; i >= 0; --i) {
    const int j = static_cast<int>(i) - off;
    if (j >= 0 && own[j] != 1) {
      stride[static_cast<size_t>(i)] = run;
      run *= own[j];
    }
  }
  std::vector<int64_t> out(static_cast<size_t>(batch.numel()));
  for (int64_t b = 0; b < batch.numel(); ++b) {
    int64_t rem = b, o = 0;
    for (int i = nd - 1; i >= 0; --i) {
      o += (rem % batch[i]) * stride[static_cast<size_t>(i)];
      rem /= batch[i];
    }
    out[static_cast<size_t>(b)] = o;
  }
  return out;
}

// C[b] = op(A[a_off[b]]) op(B[b_off[b]]) for every b; each op(A) is [M, K],
// op(B) [K, N]; a_mat/b_mat are the sizes of one stored matrix.
void gemm_batched(const float* A, int64_t a_mat, bool ta, const float* B, int64_t b_mat, bool tb,
                  const std::vector<int64_t>& a_off, const std::vector<int64_t>& b_off, float* C,
                  int64_t M, int64_t N, int64_t K) {
  const int64_t count = static_cast<int64_t>(a_off.size());
  // op(A) is [M, K]: stored [M, K] (rs K, cs 1) or, transposed, [K, M] (rs 1, cs M).
  const int64_t rsa = ta ? 1 : K, csa = ta ? M : 1;
  const int64_t rsb = tb ? 1 : N, csb = tb ? K : 1;
  auto one = [&](int64_t b) {
    sgemm(M, N, K, A + a_off[static_cast<size_t>(b)] * a_mat, rsa, csa,
          B + b_off[static_cast<size_t>(b)] * b_mat, rsb, csb, C + b * M * N, N, false);
  };
  // Small matrices cannot keep all threads busy on their own.
  const bool many_small = count >= parallel_threads(count) * 2 && M * N * K <= 128 * 128 * 128;
  if (many_small && count > 1) {
    parallel_for(0, count, [&](int64_t lo, int64_t hi, int) {
      for (int64_t b = lo; b < hi; ++b) one(b);  // nested: each sgemm runs serially
    });
  } else {
    for (int64_t b = 0; b < count; ++b) one(b);
  }
}

// a: [..., M, K], b: [..., K, N], both at least 2-D -> [batch, M, N].
Tensor matmul_nd(const Tensor& a, const Tensor& b);

struct MatmulBackward : Node {
  std::vector<Tensor> backward(const Tensor& g) override {
    const Tensor& a = inputs[0];
    const Tensor& b = inputs[1];
    const int64_t K = a.size(-1), N = b.size(-1), M = a.size(-2);
    Tensor ga, gb;
    if (b.ndim() == 2) {  // folded: a as [R, K] with R = numel / K
      const int64_t R = batch_of(a.shape()).numel() * M;
      if (a.requires_grad()) {  // dA = dC B^T: [R, N] @ [N, K]
        ga = Tensor::empty(a.shape());
        sgemm(R, K, N, g.data(), N, 1, b.data(), 1, N, ga.data(), K, false);
      }
      if (b.requires_grad()) {  // dB = A^T dC: [K, R] @ [R, N]
        gb = Tensor::empty(b.shape());
        sgemm(K, N, R, a.data(), 1, K, g.data(), N, 1, gb.data(), N, false);
      }
      return {ga, gb};
    }
    const Shape batch = batch_of(g.shape());
    const std::vector<int64_t> same = batch_offsets(batch, batch);
    if (a.requires_grad()) {  // dA = dC B^T, at the full batch, then summed to a's batch
      std::vector<int64_t> dims = batch.vec();
      dims.push_back(M);
      dims.push_back(K);
      Tensor full = Tensor::empty(Shape(dims));
      gemm_batched(g.data(), M * N, false, b.data(), K * N, true, same,
                   batch_offsets(batch_of(b.shape()), batch), full.data(), M, K, N);
      ga = sum_to_shape(full, a.shape());
    }
    if (b.requires_grad()) {  // dB = A^T dC
      std::vector<int64_t> dims = batch.vec();
      dims.push_back(K);
      dims.push_back(N);
      Tensor full = Tensor::empty(Shape(dims));
      gemm_batched(a.data(), M * K, true, g.data(), M * N, false,
                   batch_offsets(batch_of(a.shape()), batch), same, full.data(), K, N, M);
      gb = sum_to_shape(full, b.shape());
    }
    return {ga, gb};
  }
  const char* name() const override { return "MatmulBackward"; }
};

Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  Tensor out;
  if (b.ndim() == 2) {
    std::vector<int64_t> dims(a.shape().begin(), a.shape().end() - 1);
    dims.push_back(N);
    out = Tensor::empty(Shape(dims));
    const int64_t R = batch_of(a.shape()).numel() * M;  // a folded to [R, K]
    sgemm(R, N, K, a.data(), K, 1, b.data(), N, 1, out.data(), N, false);
  } else {
    const Shape batch = broadcast_shapes(batch_of(a.shape()), batch_of(b.shape()),
                                         "matmul (batch dimensions of a and b)");
    std::vector<int64_t> dims = batch.vec();
    dims.push_back(M);
    dims.push_back(N);
    CONVCORE_CHECK_VALUE(dims.size() <= static_cast<size_t>(kMaxDims), "matmul: the result would have ",
                         dims.size(), " dimensions; at most ", kMaxDims, " are supported");
    out = Tensor::empty(Shape(dims));
    gemm_batched(a.data(), M * K, false, b.data(), K * N, false,
                 batch_offsets(batch_of(a.shape()), batch), batch_offsets(batch_of(b.shape()), batch),
                 out.data(), M, N, K);
  }
  if (any_requires_grad({a, b})) {
    auto node = std::make_shared<MatmulBackward>();
    node->inputs = {a, b};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  CONVCORE_CHECK_VALUE(a.defined() && b.defined(), "matmul: a and b must be defined tensors");
  CONVCORE_CHECK_VALUE(a.ndim() >= 1 && b.ndim() >= 1,
                       "matmul: both operands need at least 1 dimension, got a ", a.shape().str(),
                       " and b ", b.shape().str());
  const int64_t ka = a.size(-1), kb = b.ndim() == 1 ? b.size(0) : b.size(-2);
  CONVCORE_CHECK_VALUE(ka == kb, "matmul: the last dimension of a (", ka, ") must equal the ",
                       b.ndim() == 1 ? "size of b" : "second-to-last dimension of b", " (", kb,
                       "); got a ", a.shape().str(), " and b ", b.shape().str());
  // 1-D operands become a row / a column, and that dim is dropped again;
  // reshape is differentiable, so the backward needs nothing special.
  if (a.ndim() == 1 && b.ndim() == 1) return reshape(matmul_nd(reshape(a, {1, ka}), reshape(b, {kb, 1})), {});
  if (a.ndim() == 1) {
    Tensor r = matmul_nd(reshape(a, {1, ka}), b);  // [..., 1, N]
    std::vector<int64_t> d = r.shape().vec();
    d.erase(d.end() - 2);
    return reshape(r, d);
  }
  if (b.ndim() == 1) {
    Tensor r = matmul_nd(a, reshape(b, {kb, 1}));  // [..., M, 1]
    std::vector<int64_t> d = r.shape().vec();
    d.pop_back();
    return reshape(r, d);
  }
  return matmul_nd(a, b);
}

}  // namespace convcore
