// The process-wide random stream of convcore/random.h.
#include "convcore/random.h"

#include <cstring>
#include <mutex>

#include "kernels/layer_kernels.h"

namespace convcore {

namespace {
#include "kernels/random_draw.inc"

// The key a seed gives: a 64-bit mixing function, so that nearby seeds
// (0, 1, 2, ...) give unrelated keys.
uint64_t key_of(uint64_t seed) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdull;
  z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ull;
  return z ^ (z >> 33);
}

struct Stream {
  std::mutex mu;
  uint64_t seed = 0;
  uint64_t key = key_of(0);
  uint64_t counter = 0;
};

Stream& stream() {
  static Stream s;
  return s;
}
}  // namespace

void manual_seed(uint64_t seed) {
  Stream& s = stream();
  std::lock_guard<std::mutex> lock(s.mu);
  s.seed = seed;
  s.key = key_of(seed);
  s.counter = 0;
}

uint64_t initial_seed() {
  Stream& s = stream();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.seed;
}

RandomSpan reserve_random(uint64_t count) {
  Stream& s = stream();
  std::lock_guard<std::mutex> lock(s.mu);
  RandomSpan span{s.key, s.counter};
  s.counter += count;
  return span;
}

RandomState get_random_state() {
  Stream& s = stream();
  std::lock_guard<std::mutex> lock(s.mu);
  return {s.seed, s.counter};
}

void set_random_state(const RandomState& state) {
  Stream& s = stream();
  std::lock_guard<std::mutex> lock(s.mu);
  s.seed = state.seed;
  s.key = key_of(state.seed);
  s.counter = state.counter;
}

uint32_t kernels::random_draw(uint64_t counter, uint64_t key) { return draw64(counter, key); }

}  // namespace convcore
