// Stand-in for a libtorch header that Debian's libtorch-dev leaves out (it ships none of
// torch/csrc/distributed/autograd, the RPC framework) although c10d/reducer.hpp includes it.
// The reducer only names two types from it: the context pointer its RPC member holds (a
// shared_ptr and an atomic raw pointer, whose layout does not depend on the pointee) and the
// gradient-callback type it checks against its own. The bridge never uses RPC; it only needs
// the declarations to compile against c10d::Reducer. This folder comes last on the include
// path, so a libtorch that has the real header (PyTorch's wheels do) uses that one.
#pragma once

#include <functional>
#include <memory>

#include <ATen/core/Tensor.h>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
