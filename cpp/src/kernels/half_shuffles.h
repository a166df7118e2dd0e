// Lane indices for shuffling two vectors of W lanes block by block, the one
// step of both the register transpose (transpose.inc) and the folded
// horizontal sums of the Winograd dot (winograd.inc). For a half-size h,
// take each block of 2h lanes of a and of b:
//   low_halves:  a's first h lanes of the block, then b's first h
//   high_halves: a's second h lanes, then b's second h
// as __builtin_shufflevector(a, b, ...) indices (those from W on select b).
#pragma once

namespace convcore::kernels {

template <int W>
constexpr int low_halves(int h, int j) {
  const int block = j / (2 * h) * 2 * h, pos = j % (2 * h);
  return pos < h ? block + pos : W + block + pos - h;
}

template <int W>
constexpr int high_halves(int h, int j) {
  const int block = j / (2 * h) * 2 * h, pos = j % (2 * h);
  return pos < h ? block + h + pos : W + block + pos;
}

}  // namespace convcore::kernels
