// Runtime settings: instruction set, threads, Winograd, memory cache, grad
// mode, build information.
#include "bindings.h"

namespace convcore::python {

void bind_runtime(py::module_& m) {
  m.def("version", &convcore::version);
  m.def("config_string", &convcore::config_string);
  m.def("cuda_built", &convcore::cuda_built);
  m.def("get_num_threads", &convcore::get_num_threads);
  m.def("set_num_threads", &convcore::set_num_threads, py::arg("n"));
  m.def("compiled_isas", [] {
    std::vector<std::string> names;
    for (Isa isa : compiled_isas()) names.emplace_back(isa_name(isa));
    return names;
  });
  m.def("best_supported_isa", [] { return std::string(isa_name(best_supported_isa())); });
  m.def("get_isa", [] { return std::string(isa_name(current_isa())); });
  m.def("set_isa", [](const std::string& name) { set_isa(parse_isa(name)); }, py::arg("isa"));
  m.def("winograd_enabled", &convcore::winograd_enabled);
  m.def("set_winograd_enabled", &convcore::set_winograd_enabled, py::arg("enabled"));
  m.def("cached_block_bytes", &convcore::cached_block_bytes);
  m.def("block_cache_limit", &convcore::block_cache_limit);
  m.def("set_block_cache_limit", &convcore::set_block_cache_limit, py::arg("nbytes"));
  m.def("release_cached_blocks", &convcore::release_cached_blocks);
  m.def("grad_enabled", &convcore::grad_enabled);
  m.def("set_grad_enabled", &convcore::set_grad_enabled, py::arg("enabled"));
}

}  // namespace convcore::python
