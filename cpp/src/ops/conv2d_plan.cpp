#include "ops/conv2d_plan.h"

#include <array>
#include <map>
#include <mutex>

#include "convcore/runtime.h"
#include "runtime/parallel.h"

namespace convcore {

const char* conv2d_algo_name(Conv2dAlgo algo) {
  switch (algo) {
    case Conv2dAlgo::Depthwise: return "depthwise";
    case Conv2dAlgo::Pointwise: return "pointwise";
    case Conv2dAlgo::ImplicitGemm: return "implicit_gemm";
  }
  return "?";
}

static Conv2dPlan make_plan(const Conv2dGeometry& g, Isa isa, int threads) {
  Conv2dPlan p{};
  p.kernels = &kernels::table_for(isa);
  p.threads = threads;
  if (g.is_depthwise())
    p.algo = Conv2dAlgo::Depthwise;
  else if (g.is_pointwise())
    p.algo = Conv2dAlgo::Pointwise;
  else
    p.algo = Conv2dAlgo::ImplicitGemm;
  p.parallel_over_images = g.N * g.G >= threads;
  // Backward data writes a [crs, chunk] slice of the im2col gradient and
  // folds it back at once; ~512 KiB keeps the slice in L2.
  const int64_t nr = p.kernels->sgemm_nr;
  const int64_t chunk = (128 * 1024 / std::max<int64_t>(1, g.crs())) / nr * nr;
  p.col_chunk = std::min(g.hw(), std::max(nr, chunk));
  return p;
}

const Conv2dPlan& conv2d_plan(const Conv2dGeometry& g) {
  using Key = std::array<int64_t, 22>;
  static std::mutex mu;
  static std::map<Key, Conv2dPlan> cache;
  const Isa isa = current_isa();
  const int threads = parallel_threads(1 << 30);
  const Key key{g.N, g.C, g.H, g.W, g.K, g.R, g.S, g.OH, g.OW, g.G, g.Cg,
                g.sh, g.sw, g.dh, g.dw, g.pt, g.pb, g.pl, g.pr, static_cast<int64_t>(isa), threads, 0};
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make_plan(g, isa, threads)).first;
  return it->second;  // std::map never moves its nodes
}

}  // namespace convcore
