// Errors thrown by convcore. Every check on user input throws one of these
// with a message that names the argument and the value that was expected;
// the Python bindings map ValueError/TypeError to the Python exceptions of
// the same name, so both languages see the same text.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace convcore {

// A value is out of range or inconsistent with another argument.
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An index is outside its dimension. A ValueError, so callers that catch
// ValueError see it; Python gets an exception that is both IndexError and
// ValueError, so iteration over a tensor (which stops at IndexError) works.
class IndexError : public ValueError {
 public:
  using ValueError::ValueError;
};

// An argument has the wrong kind: dtype, rank, memory layout.
class TypeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace convcore

// CONVCORE_CHECK_VALUE(cond, "conv2d: stride must be positive, got ", s)
#define CONVCORE_CHECK_VALUE(cond, ...) \
  do {                                 \
    if (!(cond)) throw ::convcore::ValueError(::convcore::detail::concat(__VA_ARGS__)); \
  } while (0)

#define CONVCORE_CHECK_TYPE(cond, ...) \
  do {                                \
    if (!(cond)) throw ::convcore::TypeError(::convcore::detail::concat(__VA_ARGS__)); \
  } while (0)
