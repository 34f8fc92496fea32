// Shared declarations of the libtorch bridge. The bridge is generic: tensors live in a native
// table and JS holds integer ids; one entry point calls any ATen operator through the
// dispatcher; a few functions cover what is not an operator (data in/out, autograd, seeds,
// threads, devices). Lifetime policy (dispose, scopes, GC safety net) lives in TypeScript.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <initializer_list>
#include <string>

namespace skagent {

// The table of live tensors. An id encodes slot and generation, so a stale id (a disposed
// tensor whose slot was reused) is detected instead of silently aliasing another tensor.
namespace table {
double Put(Napi::Env env, at::Tensor t);
// Throws a JS error naming `what` when v is not a live tensor id.
at::Tensor& Get(const Napi::Value& v, const char* what);
bool IsLive(double id);
void Release(Napi::Env env, double id);
int64_t LiveCount();
void FlushMemoryAccounting(Napi::Env env);
}  // namespace table

// "Float[2, 3] cpu" for error messages.
std::string Describe(const at::Tensor& t);

// Runs fn, turning libtorch/c10 exceptions into JS errors prefixed with `context()`.
template <typename F, typename C>
auto Guard(Napi::Env env, F&& fn, C&& context) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, context() + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, context() + ": " + e.what());
  }
}

// A function the bridge exports: its JS name and implementation.
struct Export {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};

inline void ExportAll(Napi::Env env, Napi::Object exports, std::initializer_list<Export> functions) {
  for (const Export& f : functions) exports.Set(f.name, Napi::Function::New(env, f.fn, f.name));
}

void InitTensor(Napi::Env env, Napi::Object exports);
void InitDispatch(Napi::Env env, Napi::Object exports);
void InitProfiler(Napi::Env env, Napi::Object exports);
void InitAllocator(Napi::Env env, Napi::Object exports);
void InitDistributed(Napi::Env env, Napi::Object exports);
void InitWarnings(Napi::Env env, Napi::Object exports);

}  // namespace skagent
