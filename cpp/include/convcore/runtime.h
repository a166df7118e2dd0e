// Process-wide settings: which instruction-set level the kernels use, how
// many OpenMP threads the ops may run on, and what this build contains.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace convcore {

// Instruction-set levels, lowest first. A level is usable when it was
// compiled in and the CPU (and OS) support it.
enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

const char* isa_name(Isa isa);          // "scalar", "avx2", "avx512"
Isa parse_isa(const std::string& name);  // throws ValueError for unknown names
std::vector<Isa> compiled_isas();        // the levels built into this library
Isa best_supported_isa();                // highest compiled level this CPU runs

// The level in use. Chosen once, at first use: the best supported level, or
// the one named by the environment variable CONVCORE_ISA. set_isa() changes
// it later (tests force each level in turn); asking for a level the CPU
// cannot run throws ValueError.
Isa current_isa();
void set_isa(Isa isa);

// Threads for the ops' parallel loops (OpenMP). Defaults to OpenMP's own
// default (OMP_NUM_THREADS, or the number of cores).
int get_num_threads();
void set_num_threads(int n);

// Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions with enough channels
// and positions (on by default): 4x fewer multiplications than the direct
// product, at a rounding error some ten times larger (up to about 5e-6 of
// the sum of |x| * |w| behind each output, against 3e-7). Turned off,
// those layers take the exact GEMM and direct paths.
bool winograd_enabled();
void set_winograd_enabled(bool enabled);

// The cache of freed tensor blocks (256 KiB and up), reused by later
// tensors of the same size so that they need no fresh pages. Bytes held now;
// the most it may hold (default 1 GiB; 0 turns caching off); returning every
// cached block to the OS.
size_t cached_block_bytes();
size_t block_cache_limit();
void set_block_cache_limit(size_t bytes);
void release_cached_blocks();

const char* version();
bool cuda_built();
// A multi-line human-readable summary of the above.
std::string config_string();

}  // namespace convcore
