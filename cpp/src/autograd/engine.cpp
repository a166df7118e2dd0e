// The reverse-mode engine: topological order, gradient accumulation, grad mode.
#include <unordered_map>
#include <unordered_set>

#include "convcore/autograd.h"
#include "convcore/error.h"

namespace convcore {

static thread_local bool t_grad_enabled = true;
bool grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }

bool any_requires_grad(std::initializer_list<Tensor> inputs) {
  if (!t_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void set_history(Tensor& output, std::shared_ptr<Node> node) {
  output.impl_->requires_grad = true;
  output.impl_->grad_fn = std::move(node);
}

// acc += g, elementwise; both contiguous and of the same shape.
static void accumulate(Tensor& acc, const Tensor& g) {
  float* a = acc.data();
  const float* b = g.data();
  for (int64_t i = 0, n = acc.numel(); i < n; ++i) a[i] += b[i];
}

// Nodes reachable from `root`, each after every node that consumes its output.
static std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> post;  // post-order: inputs before consumers
  std::unordered_set<Node*> seen{root};
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Tensor& in = node->inputs[next++];
      Node* child = in.defined() ? in.grad_fn().get() : nullptr;
      if (child && seen.insert(child).second) stack.emplace_back(child, 0);
    } else {
      post.push_back(node);
      stack.pop_back();
    }
  }
  return {post.rbegin(), post.rend()};
}

void run_backward(const Tensor& root, const Tensor& grad_root) {
  CONVCORE_CHECK_VALUE(root.requires_grad(),
                       "backward: the tensor does not require grad and has no grad_fn");
  Tensor seed = grad_root;
  if (!seed.defined()) {
    CONVCORE_CHECK_VALUE(root.numel() == 1,
                         "backward: grad can be omitted only for a one-element output, this one has "
                         "shape ",
                         root.shape().str());
    seed = Tensor::full(root.shape(), 1.0f);
  }
  CONVCORE_CHECK_VALUE(seed.shape() == root.shape(), "backward: grad must have the output's shape ",
                       root.shape().str(), ", got ", seed.shape().str());

  NoGradGuard no_grad;  // backward formulas are not themselves recorded
  auto deliver = [](const Tensor& target, const Tensor& g,
                    std::unordered_map<Node*, Tensor>& pending) {
    if (!g.defined() || !target.defined() || !target.requires_grad()) return;
    if (Node* fn = target.grad_fn().get()) {
      auto it = pending.find(fn);
      if (it == pending.end())
        pending.emplace(fn, g);
      else {
        // The first delivery may alias a tensor the caller still uses: copy on write.
        if (!it->second.is_unique()) it->second = it->second.clone();
        accumulate(it->second, g);
      }
    } else {
      Tensor acc = target.grad();
      // A gradient no one else holds becomes .grad as is (no copy of a
      // tensor as big as the leaf); any other is copied.
      if (!acc.defined())
        target.set_grad(g.is_unique() ? g : g.clone());
      else
        accumulate(acc, g);
    }
  };

  std::unordered_map<Node*, Tensor> pending;
  if (!root.grad_fn()) {  // backward() on a leaf: its gradient is the seed
    deliver(root, seed, pending);
    return;
  }
  pending.emplace(root.grad_fn().get(), seed);
  for (Node* node : topological_order(root.grad_fn().get())) {
    auto it = pending.find(node);
    if (it == pending.end()) continue;  // no gradient reached this node
    Tensor g = std::move(it->second);
    pending.erase(it);
    std::vector<Tensor> grads = node->backward(g);
    if (grads.size() != node->inputs.size())
      throw std::logic_error(detail::concat("autograd: ", node->name(), " returned ", grads.size(),
                                            " gradients for ", node->inputs.size(), " inputs"));
    for (size_t i = 0; i < grads.size(); ++i) {
      if (grads[i].defined() && node->inputs[i].defined() &&
          grads[i].shape() != node->inputs[i].shape())
        throw std::logic_error(detail::concat("autograd: ", node->name(), " gave a gradient of shape ",
                                              grads[i].shape().str(), " for input ", i, " of shape ",
                                              node->inputs[i].shape().str()));
      deliver(node->inputs[i], grads[i], pending);
    }
  }
}

}  // namespace convcore
