// Instruction-set detection and the process-wide choice of level.
#include <atomic>
#include <cstdlib>
#include <mutex>

#include "convcore/error.h"
#include "convcore/runtime.h"

namespace convcore {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

Isa parse_isa(const std::string& name) {
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (name == isa_name(isa)) return isa;
  throw ValueError(detail::concat("isa: expected one of 'scalar', 'avx2', 'avx512', got '", name, "'"));
}

std::vector<Isa> compiled_isas() {
  std::vector<Isa> out{Isa::Scalar};
#ifdef CONVCORE_HAVE_AVX2
  out.push_back(Isa::Avx2);
#endif
#ifdef CONVCORE_HAVE_AVX512
  out.push_back(Isa::Avx512);
#endif
  return out;
}

static bool cpu_supports(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    // __builtin_cpu_supports also checks that the OS saves the wide
    // registers (XCR0), not only the CPUID bits.
    case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma");
#endif
    default: return false;
  }
}

static bool usable(Isa isa) {
  for (Isa c : compiled_isas())
    if (c == isa) return cpu_supports(isa);
  return false;
}

Isa best_supported_isa() {
  Isa best = Isa::Scalar;
  for (Isa isa : compiled_isas())
    if (cpu_supports(isa)) best = isa;
  return best;
}

static std::atomic<int> g_isa{-1};
static std::once_flag g_isa_once;

static void init_isa() {
  Isa chosen = best_supported_isa();
  if (const char* env = std::getenv("CONVCORE_ISA"); env && *env) {
    Isa wanted = parse_isa(env);
    CONVCORE_CHECK_VALUE(usable(wanted), "CONVCORE_ISA=", env,
                         ": this level is not compiled in or not supported by this CPU (best: ",
                         isa_name(chosen), ")");
    chosen = wanted;
  }
  g_isa.store(static_cast<int>(chosen));
}

Isa current_isa() {
  std::call_once(g_isa_once, init_isa);
  return static_cast<Isa>(g_isa.load(std::memory_order_relaxed));
}

void set_isa(Isa isa) {
  CONVCORE_CHECK_VALUE(usable(isa), "isa: '", isa_name(isa),
                       "' is not compiled in or not supported by this CPU (best: ",
                       isa_name(best_supported_isa()), ")");
  std::call_once(g_isa_once, init_isa);
  g_isa.store(static_cast<int>(isa));
}

}  // namespace convcore
