// A caching CPU allocator for libtorch's large tensors.
//
// Why: glibc serves every block above 32 MiB with a fresh mmap and unmaps it on free, so each
// activation-sized tensor (tens of MB in a training step) is page-faulted and zeroed by the
// kernel on first touch, every iteration. On the project machine that was ~40 % of a training
// step (28 s → 16.5 s with the cache; bench/model_bench.ts). A training loop allocates the same
// sizes every iteration, so freed blocks are kept and handed out again.
//
// Policy: blocks ≥ 1 MiB are rounded up to a size class (≤ 1/16 waste) and cached by class on
// free. On a miss, cached blocks (largest classes first) are released as far as needed to keep
// live + cached bytes within (1 + slack) × the largest live footprint seen; slack defaults to
// 0.25 (SKAGENT_CPU_CACHE_SLACK). Measured on the ntu60 training step (batch 16): live peak
// 11.1 GiB, live + cached 13.0 GiB, no misses after the first step, 28 s → 14 s per step; with
// slack 0 it missed half the time and took 22 s. Smaller blocks go to libtorch's default
// allocator. SKAGENT_CPU_CACHE=0 disables the cache. Thread-safe: tensors are freed from any
// thread.
#include "common.h"

#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace skagent {
namespace {

constexpr size_t kMinCachedBytes = size_t{1} << 20;
constexpr size_t kAlignment = 64;

size_t SizeClass(size_t n) {
  size_t top = size_t{1} << (63 - __builtin_clzll(n));
  size_t step = std::max<size_t>(top / 16, kAlignment);
  return (n + step - 1) / step * step;
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  CachingCpuAllocator(c10::Allocator* fallback, double slack) : fallback_(fallback), slack_(slack) {}

  c10::DataPtr allocate(size_t n) const override {
    if (n < kMinCachedBytes) return fallback_->allocate(n);
    return const_cast<CachingCpuAllocator*>(this)->AllocateLarge(n);
  }

  // Some libtorch code allocates raw pointers (raw_allocate/raw_deallocate): every DataPtr here
  // has its data pointer as context, so Delete serves as the raw deleter too.
  c10::DeleterFnPtr raw_deleter() const override { return &Delete; }

  struct Stats { size_t liveBytes, cachedBytes, peakBytes, hits, misses; };
  Stats GetStats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {live_, cached_, peak_, hits_, misses_};
  }

  // Returns every cached block to the system.
  void EmptyCache() {
    std::lock_guard<std::mutex> lock(mutex_);
    ReleaseCached(cached_);
  }

 private:
  c10::DataPtr AllocateLarge(size_t n) {
    const size_t size = SizeClass(n);
    void* p = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        cached_ -= size;
        ++hits_;
      } else {
        // Keep live + cached within the budget: (1 + slack) × the largest live footprint seen.
        const size_t budget = static_cast<size_t>((1.0 + slack_) * static_cast<double>(std::max(peakLive_, live_ + size)));
        if (live_ + cached_ + size > budget) ReleaseCached(live_ + cached_ + size - budget);
        ++misses_;
      }
      live_ += size;
      peakLive_ = std::max(peakLive_, live_);
      peak_ = std::max(peak_, live_ + cached_);
    }
    if (!p) {
      p = std::aligned_alloc(kAlignment, size);
      if (!p) {
        std::lock_guard<std::mutex> lock(mutex_);
        live_ -= size;
        throw std::bad_alloc();
      }
      std::lock_guard<std::mutex> lock(mutex_);
      sizes_[p] = size;
    }
    return c10::DataPtr(p, p, &Delete, c10::Device(c10::DeviceType::CPU));
  }

  // Frees cached blocks (largest classes first) until at least `bytes` were released or the
  // cache is empty. Caller holds the lock.
  void ReleaseCached(size_t bytes) {
    size_t released = 0;
    for (auto it = free_.rbegin(); it != free_.rend() && released < bytes && cached_ > 0; ++it) {
      auto& blocks = it->second;
      while (!blocks.empty() && released < bytes) {
        void* p = blocks.back();
        blocks.pop_back();
        sizes_.erase(p);
        std::free(p);
        released += it->first;
        cached_ -= it->first;
      }
    }
  }

  static void Delete(void* p);

  c10::Allocator* fallback_;
  const double slack_;
  std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_;    // size class → cached blocks
  std::unordered_map<void*, size_t> sizes_;       // every block this allocator owns
  size_t live_ = 0, cached_ = 0, peak_ = 0, peakLive_ = 0, hits_ = 0, misses_ = 0;

};

CachingCpuAllocator* instance = nullptr;

void CachingCpuAllocator::Delete(void* p) {
  CachingCpuAllocator& a = *instance;
  std::unique_lock<std::mutex> lock(a.mutex_);
  auto it = a.sizes_.find(p);
  if (it == a.sizes_.end()) {  // a small block, raw-allocated through the fallback
    lock.unlock();
    a.fallback_->raw_deleter()(p);
    return;
  }
  const size_t size = it->second;
  a.free_[size].push_back(p);
  a.live_ -= size;
  a.cached_ += size;
}

Napi::Value CpuMemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (!instance) return env.Null();
  const auto s = instance->GetStats();
  o.Set("liveBytes", Napi::Number::New(env, static_cast<double>(s.liveBytes)));
  o.Set("cachedBytes", Napi::Number::New(env, static_cast<double>(s.cachedBytes)));
  o.Set("peakBytes", Napi::Number::New(env, static_cast<double>(s.peakBytes)));
  o.Set("hits", Napi::Number::New(env, static_cast<double>(s.hits)));
  o.Set("misses", Napi::Number::New(env, static_cast<double>(s.misses)));
  return o;
}

Napi::Value EmptyCpuCache(const Napi::CallbackInfo& info) {
  if (instance) instance->EmptyCache();
  return info.Env().Undefined();
}

}  // namespace

void InitAllocator(Napi::Env env, Napi::Object exports) {
  // SKAGENT_CPU_CACHE=0 keeps libtorch's default allocator.
  const char* flag = std::getenv("SKAGENT_CPU_CACHE");
  if (!instance && !(flag && std::string(flag) == "0")) {
    // Installed before any tensor exists; intentionally never destroyed (tensors may be freed
    // during process teardown).
    const char* slack = std::getenv("SKAGENT_CPU_CACHE_SLACK");
    instance = new CachingCpuAllocator(c10::GetDefaultCPUAllocator(), slack ? std::max(0.0, std::atof(slack)) : 0.25);
    c10::SetCPUAllocator(instance, /*priority=*/100);
  }
  ExportAll(env, exports, {
      {"cpuMemoryStats", CpuMemoryStats},
      {"emptyCpuCache", EmptyCpuCache},
  });
}

}  // namespace skagent
