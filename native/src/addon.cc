// Module entry: tensor creation from bytes, global state (grad mode, seeds, threads, devices).
#include "common.h"

#include <torch/cuda.h>
#include <torch/version.h>
#include <torch/utils.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>


namespace skagent {
namespace {

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].ToBoolean());
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// A generator seed: a Number, or a BigInt that must fit in 64 unsigned bits (a negative or wider
// BigInt would otherwise be silently wrapped to another seed).
uint64_t SeedArg(const Napi::Value& v, const char* fn) {
  if (!v.IsBigInt()) return static_cast<uint64_t>(v.As<Napi::Number>().Int64Value());
  bool lossless = true;
  uint64_t seed = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw Napi::RangeError::New(v.Env(), std::string(fn) + ": the seed must be an integer in [0, 2^64)");
  return seed;
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  torch::manual_seed(SeedArg(info[0], "manualSeed"));
  return info.Env().Undefined();
}

// randpermSeeded(n, seed): torch.randperm(n, generator=torch.Generator().manual_seed(seed)), the
// permutation of PyTorch's DistributedSampler, exact by construction (same generator, same kernel).
Napi::Value RandpermSeeded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t n = info[0].As<Napi::Number>().Int64Value();
  uint64_t seed = SeedArg(info[1], "randpermSeeded");
  return Guard(env, [&] {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return Napi::Number::New(env, table::Put(env, at::randperm(n, gen, at::TensorOptions().dtype(at::kLong))));
  }, [&] { return std::string("randpermSeeded"); });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  if (torch::cuda::is_available()) torch::cuda::synchronize();
  return info.Env().Undefined();
}

Napi::Value ParallelInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::get_parallel_info());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitAllocator(env, exports);  // before any tensor is allocated
  InitTensor(env, exports);
  ExportAll(env, exports, {
      {"setGradEnabled", SetGradEnabled},
      {"isGradEnabled", IsGradEnabled},
      {"manualSeed", ManualSeed},
      {"randpermSeeded", RandpermSeeded},
      {"setNumThreads", SetNumThreads},
      {"getNumThreads", GetNumThreads},
      {"cudaIsAvailable", CudaIsAvailable},
      {"cudaDeviceCount", CudaDeviceCount},
      {"cudaSynchronize", CudaSynchronize},
      {"parallelInfo", ParallelInfo},
  });
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  InitDispatch(env, exports);
  InitProfiler(env, exports);
  InitDistributed(env, exports);
  InitWarnings(env, exports);
  return exports;
}

}  // namespace skagent

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return skagent::Init(env, exports); }
NODE_API_MODULE(skagent_torch, InitModule)
