// Define-by-run reverse-mode autograd.
//
// An op whose inputs require gradients creates a Node that remembers the
// inputs (and whatever it saved for its backward) and attaches it to its
// output. Tensor::backward() orders the nodes reachable from the output
// topologically, runs each node's backward once with the sum of the
// gradients that reached it, and accumulates into the .grad of the leaves.
// A tensor used twice receives the sum of both gradients.
// Deliberately left out: higher-order gradients, hooks, in-place ops on
// tensors that require grad, and freeing the graph during backward.
#pragma once

#include <memory>
#include <vector>

#include "convcore/tensor.h"

namespace convcore {

struct Node {
  virtual ~Node() = default;
  // grad_output: the gradient of the loss w.r.t. this node's output, shaped
  // like it. Returns one gradient per entry of `inputs`, shaped like that
  // input; an undefined Tensor where the input needs none.
  virtual std::vector<Tensor> backward(const Tensor& grad_output) = 0;
  virtual const char* name() const = 0;

  std::vector<Tensor> inputs;  // the tensors this node sends gradients to
};

// Grad mode is per thread; NoGradGuard turns it off for a scope.
bool grad_enabled();
void set_grad_enabled(bool enabled);
class NoGradGuard {
 public:
  NoGradGuard() : prev_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

// True when grad mode is on and any defined input requires a gradient.
bool any_requires_grad(std::initializer_list<Tensor> inputs);

// Makes `node` the producer of `output`: stores the inputs on the node and
// marks the output as requiring grad. Call only when any_requires_grad().
void set_history(Tensor& output, std::shared_ptr<Node> node);

// The engine behind Tensor::backward().
void run_backward(const Tensor& root, const Tensor& grad_root);

}  // namespace convcore
