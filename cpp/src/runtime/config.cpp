// Threads, the Winograd switch, version and the build summary printed by
// convcore.show_config().
#include <omp.h>

#include <atomic>
#include <sstream>

#include "convcore/error.h"
#include "convcore/runtime.h"

namespace convcore {

int get_num_threads() { return omp_get_max_threads(); }

void set_num_threads(int n) {
  CONVCORE_CHECK_VALUE(n >= 1, "set_num_threads: n must be at least 1, got ", n);
  omp_set_num_threads(n);
}

namespace {
std::atomic<bool> winograd{true};
}

bool winograd_enabled() { return winograd.load(std::memory_order_relaxed); }
void set_winograd_enabled(bool enabled) { winograd.store(enabled, std::memory_order_relaxed); }

const char* version() { return CONVCORE_VERSION; }

bool cuda_built() {
#ifdef CONVCORE_WITH_CUDA
  return true;
#else
  return false;
#endif
}

std::string config_string() {
  std::ostringstream os;
  os << "convcore " << version() << "\n";
  os << "  instruction sets compiled: ";
  const char* sep = "";
  for (Isa isa : compiled_isas()) {
    os << sep << isa_name(isa);
    sep = ", ";
  }
  os << "\n  instruction set in use:    " << isa_name(current_isa())
     << " (best this CPU supports: " << isa_name(best_supported_isa()) << ")\n";
  os << "  OpenMP threads:            " << get_num_threads() << "\n";
  os << "  Winograd F(4x4, 3x3):      " << (winograd_enabled() ? "on" : "off") << "\n";
  os << "  CUDA:                      " << (cuda_built() ? "built" : "not built") << "\n";
  return os.str();
}

}  // namespace convcore
