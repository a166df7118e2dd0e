// Gradient clipping of convcore/ops/optim.h: the total norm of a list of
// tensors, clip_grad_norm_ and clip_grad_value_. All tensors are cut into
// fixed chunks (the same for any thread count); each chunk's partial sum
// (double) or maximum goes into its own slot, and the slots are combined in
// order, so the norm depends on the values only, not on the threads.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "convcore/ops/optim.h"
#include "kernels/optim_kernels.h"
#include "ops/layer_common.h"

namespace convcore {

namespace {

constexpr int64_t kNormGrain = 65536;

struct Piece {
  float* data;
  int64_t n;
};

// Every tensor cut into pieces of at most kNormGrain elements.
std::vector<Piece> pieces_of(const std::vector<Tensor>& tensors, const char* op) {
  std::vector<Piece> pieces;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    CONVCORE_CHECK_VALUE(t.defined(), op, ": tensor ", i, " is undefined (None)");
    CONVCORE_CHECK_TYPE(t.device() == Device::CPU, op, ": tensor ", i, " must be a CPU tensor");
    const int64_t n = t.numel();
    for (int64_t lo = 0; lo < n; lo += kNormGrain)
      pieces.push_back({t.data() + lo, std::min(kNormGrain, n - lo)});
  }
  return pieces;
}

// f(piece) over all pieces, spread over the threads.
template <class F>
void for_pieces(const std::vector<Piece>& pieces, const F& f) {
  parallel_for(0, static_cast<int64_t>(pieces.size()), [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) f(i, pieces[static_cast<size_t>(i)]);
  });
}

}  // namespace

double total_norm(const std::vector<Tensor>& tensors, double norm_type) {
  CONVCORE_CHECK_VALUE(norm_type > 0.0, "clip_grad_norm_: norm_type must be > 0 or inf, got ",
                       norm_type);
  const std::vector<Piece> pieces = pieces_of(tensors, "clip_grad_norm_");
  const auto& k = kernels::optim_kernels();
  std::vector<double> partial(pieces.size(), 0.0);
  const bool inf = std::isinf(norm_type);
  for_pieces(pieces, [&](int64_t i, const Piece& p) {
    double& out = partial[static_cast<size_t>(i)];
    if (inf) {
      out = k.max_abs(p.data, p.n);
    } else if (norm_type == 2.0) {
      out = k.sum_squares(p.data, p.n);
    } else if (norm_type == 1.0) {
      out = k.sum_abs(p.data, p.n);
    } else {
      out = k.sum_abs_pow(p.data, p.n, norm_type);
    }
  });
  double total = 0.0;
  for (double v : partial) {
    if (inf) {
      total = (v > total || v != v) ? v : total;
    } else {
      total += v;
    }
  }
  if (inf || norm_type == 1.0) return total;
  if (norm_type == 2.0) return std::sqrt(total);
  return std::pow(total, 1.0 / norm_type);
}

double clip_grad_norm_(const std::vector<Tensor>& grads, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  CONVCORE_CHECK_VALUE(max_norm >= 0.0, "clip_grad_norm_: max_norm must be >= 0, got ", max_norm);
  if (grads.empty()) return 0.0;
  const double norm = total_norm(grads, norm_type);
  if (error_if_nonfinite && !std::isfinite(norm)) {
    throw std::runtime_error(detail::concat(
        "clip_grad_norm_: the total norm of order ", norm_type,
        " of the gradients is non-finite (", norm,
        "), so it cannot be clipped; pass error_if_nonfinite=False to clip anyway"));
  }
  // As torch: the coefficient in float, max_norm / (norm + 1e-6), clamped
  // to at most 1; a NaN norm makes every gradient NaN.
  const float coef = static_cast<float>(max_norm) / (static_cast<float>(norm) + 1e-6f);
  if (coef >= 1.0f) return norm;
  const std::vector<Piece> pieces = pieces_of(grads, "clip_grad_norm_");
  const auto& k = kernels::optim_kernels();
  for_pieces(pieces, [&](int64_t, const Piece& p) { k.scale(p.data, p.n, coef); });
  return norm;
}

void clip_grad_value_(const std::vector<Tensor>& grads, double clip_value) {
  CONVCORE_CHECK_VALUE(clip_value >= 0.0, "clip_grad_value_: clip_value must be >= 0, got ",
                       clip_value);
  const std::vector<Piece> pieces = pieces_of(grads, "clip_grad_value_");
  const auto& k = kernels::optim_kernels();
  const float c = static_cast<float>(clip_value);
  for_pieces(pieces, [&](int64_t, const Piece& p) { k.clamp(p.data, p.n, -c, c); });
}

}  // namespace convcore
