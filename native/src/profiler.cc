// Operator-level profiler: times every ATen operator and autograd function that runs through
// the dispatcher (forward ops called from JS, and the backward ops the autograd engine runs)
// with a global RecordFunction callback. Self time excludes nested recorded calls, so the
// totals of a training step add up without double counting. Aggregated per name (and, when
// asked, per input shapes) in native memory; JS reads the table once at stop.
#include "common.h"

#include <ATen/record_function.h>

#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace skagent {
namespace {

using Clock = std::chrono::steady_clock;

struct Frame {
  Clock::time_point start;
  int64_t childNs = 0;
  std::string key;
};

struct Totals {
  int64_t calls = 0;
  int64_t selfNs = 0;
  int64_t totalNs = 0;
};

thread_local std::vector<Frame> stack;
std::mutex totalsMutex;
std::map<std::string, Totals> totals;
bool recordShapes = false;
bool active = false;
at::CallbackHandle handle = 0;

std::string ShapesOf(const at::RecordFunction& fn) {
  std::ostringstream s;
  bool first = true;
  for (const c10::IValue& v : fn.inputs()) {
    if (!v.isTensor()) continue;
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) continue;
    s << (first ? " " : " x ") << t.sizes();
    first = false;
  }
  return s.str();
}

std::unique_ptr<at::ObserverContext> OnStart(const at::RecordFunction& fn) {
  std::string key = fn.name();
  if (recordShapes) key += ShapesOf(fn);
  stack.push_back(Frame{Clock::now(), 0, std::move(key)});
  return nullptr;
}

void OnEnd(const at::RecordFunction&, at::ObserverContext*) {
  if (stack.empty()) return;  // started before the profiler was
  Frame f = std::move(stack.back());
  stack.pop_back();
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - f.start).count();
  if (!stack.empty()) stack.back().childNs += ns;
  std::lock_guard<std::mutex> lock(totalsMutex);
  Totals& t = totals[f.key];
  t.calls += 1;
  t.totalNs += ns;
  t.selfNs += ns - f.childNs;
}

Napi::Value ProfilerStart(const Napi::CallbackInfo& info) {
  if (active) throw Napi::Error::New(info.Env(), "profilerStart: the profiler is already running");
  recordShapes = info.Length() > 0 && info[0].ToBoolean();
  {
    std::lock_guard<std::mutex> lock(totalsMutex);
    totals.clear();
  }
  handle = at::addGlobalCallback(at::RecordFunctionCallback(&OnStart, &OnEnd)
                                     .needsInputs(recordShapes)
                                     .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
  active = true;
  return info.Env().Undefined();
}

// Returns [[key, calls, selfNs, totalNs], ...].
Napi::Value ProfilerStop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!active) throw Napi::Error::New(env, "profilerStop: the profiler is not running");
  at::removeCallback(handle);
  active = false;
  std::lock_guard<std::mutex> lock(totalsMutex);
  Napi::Array out = Napi::Array::New(env, totals.size());
  uint32_t i = 0;
  for (const auto& [key, t] : totals) {
    Napi::Array row = Napi::Array::New(env, 4);
    row.Set(0u, Napi::String::New(env, key));
    row.Set(1u, Napi::Number::New(env, static_cast<double>(t.calls)));
    row.Set(2u, Napi::Number::New(env, static_cast<double>(t.selfNs)));
    row.Set(3u, Napi::Number::New(env, static_cast<double>(t.totalNs)));
    out.Set(i++, row);
  }
  totals.clear();
  return out;
}

}  // namespace

void InitProfiler(Napi::Env env, Napi::Object exports) {
  ExportAll(env, exports, {
      {"profilerStart", ProfilerStart},
      {"profilerStop", ProfilerStop},
  });
}

}  // namespace skagent
