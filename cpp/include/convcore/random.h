// convcore's random stream: one process-wide counter-based generator.
// manual_seed(s) sets its key from s and rewinds it; every consumer (the
// dropout ops) reserves a span of consecutive stream positions, and the
// random number at a position is a keyed hash of that position
// (kernels/random_draw.inc). So the same seed and the same sequence of
// calls give the same numbers, whatever the thread count, and a backward
// pass can regenerate a forward's mask instead of storing it.
// Deliberately left out: per-device or per-call generator objects, and any
// claim of cryptographic quality.
#pragma once

#include <cstdint>

namespace convcore {

// Positions [counter, counter + count) of the stream under `key`.
struct RandomSpan {
  uint64_t key = 0;
  uint64_t counter = 0;
};

// Seeds the stream (the default seed is 0). Thread-safe.
void manual_seed(uint64_t seed);
// The seed the stream was last seeded with.
uint64_t initial_seed();
// Reserves the next `count` positions of the stream. Thread-safe.
RandomSpan reserve_random(uint64_t count);

// Where the stream stands: enough to resume it exactly (checkpoints).
struct RandomState {
  uint64_t seed = 0;
  uint64_t counter = 0;
};
RandomState get_random_state();
// Puts the stream back where get_random_state() found it.
void set_random_state(const RandomState& state);

}  // namespace convcore
