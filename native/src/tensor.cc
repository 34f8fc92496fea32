// The tensor table and per-tensor functions: metadata, data in/out, autograd.
#include "common.h"

#include <cstring>
#include <sstream>
#include <vector>

namespace skagent {

namespace table {
namespace {
constexpr double kSlots = 16777216.0;  // 2^24 slots; id = generation * 2^24 + slot

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 0;
  int64_t bytes = 0;
};
std::vector<Slot> g_slots;
std::vector<uint32_t> g_free;
int64_t g_live = 0;
// External memory is reported to V8 in batches: a call into V8 per tiny tensor would cost more
// than the operator itself.
int64_t g_pending_bytes = 0;
constexpr int64_t kFlushBytes = 1 << 20;

int64_t BytesOf(const at::Tensor& t) {
  return static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
}

void Account(Napi::Env env, int64_t delta) {
  g_pending_bytes += delta;
  if (g_pending_bytes >= kFlushBytes || g_pending_bytes <= -kFlushBytes) FlushMemoryAccounting(env);
}

Slot* Lookup(double id) {
  if (!(id >= 0)) return nullptr;
  uint64_t raw = static_cast<uint64_t>(id);
  uint32_t slot = static_cast<uint32_t>(raw % static_cast<uint64_t>(kSlots));
  uint32_t gen = static_cast<uint32_t>(raw / static_cast<uint64_t>(kSlots));
  if (slot >= g_slots.size()) return nullptr;
  Slot& s = g_slots[slot];
  if (s.generation != gen || !s.tensor.defined()) return nullptr;
  return &s;
}
}  // namespace

void FlushMemoryAccounting(Napi::Env env) {
  if (g_pending_bytes != 0) {
    Napi::MemoryManagement::AdjustExternalMemory(env, g_pending_bytes);
    g_pending_bytes = 0;
  }
}

double Put(Napi::Env env, at::Tensor t) {
  uint32_t slot;
  if (!g_free.empty()) {
    slot = g_free.back();
    g_free.pop_back();
  } else {
    if (g_slots.size() >= static_cast<size_t>(kSlots)) throw Napi::Error::New(env, "too many live tensors (16M): dispose tensors or use tidy()");
    slot = static_cast<uint32_t>(g_slots.size());
    g_slots.emplace_back();
  }
  Slot& s = g_slots[slot];
  s.bytes = BytesOf(t);
  s.tensor = std::move(t);
  g_live++;
  Account(env, s.bytes);
  return static_cast<double>(s.generation) * kSlots + slot;
}

at::Tensor& Get(const Napi::Value& v, const char* what) {
  std::string prefix = *what ? std::string(what) + ": " : "";
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), prefix + "expected a tensor");
  Slot* s = Lookup(v.As<Napi::Number>().DoubleValue());
  if (!s) throw Napi::Error::New(v.Env(), prefix + "tensor was disposed");
  return s->tensor;
}

bool IsLive(double id) { return Lookup(id) != nullptr; }

void Release(Napi::Env env, double id) {
  Slot* s = Lookup(id);
  if (!s) return;  // already released: dispose() and the GC safety net may both call this
  s->tensor = at::Tensor();
  s->generation++;
  Account(env, -s->bytes);
  s->bytes = 0;
  g_free.push_back(static_cast<uint32_t>(s - g_slots.data()));
  g_live--;
}

int64_t LiveCount() { return g_live; }
}  // namespace table

std::string Describe(const at::Tensor& t) {
  if (!t.defined()) return "undefined tensor";
  std::ostringstream s;
  s << c10::toString(t.scalar_type()) << t.sizes() << " " << t.device();
  return s.str();
}

namespace {

Napi::Array ToJsArray(Napi::Env env, c10::IntArrayRef v) {
  Napi::Array out = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) out.Set(i, Napi::Number::New(env, static_cast<double>(v[i])));
  return out;
}

Napi::Value Release(const Napi::CallbackInfo& info) {
  table::Release(info.Env(), info[0].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

Napi::Value IsLive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), table::IsLive(info[0].As<Napi::Number>().DoubleValue()));
}

Napi::Value Sizes(const Napi::CallbackInfo& info) {
  return ToJsArray(info.Env(), table::Get(info[0], "shape").sizes());
}

Napi::Value Strides(const Napi::CallbackInfo& info) {
  return ToJsArray(info.Env(), table::Get(info[0], "strides").strides());
}

Napi::Value ScalarType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(table::Get(info[0], "dtype").scalar_type()));
}

Napi::Value DeviceOf(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), table::Get(info[0], "device").device().str());
}

Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), table::Get(info[0], "isContiguous").is_contiguous());
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), table::Get(info[0], "requiresGrad").requires_grad());
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = table::Get(info[0], "requiresGrad");
  bool flag = info[1].ToBoolean();
  if (!flag && !t.is_leaf()) {
    throw Napi::Error::New(info.Env(), "requiresGrad = false on a non-leaf tensor (" + Describe(t) + "): use detach() instead");
  }
  Guard(info.Env(), [&] { t.set_requires_grad(flag); }, [&] { return "requiresGrad(" + Describe(t) + ")"; });
  return info.Env().Undefined();
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), table::Get(info[0], "isLeaf").is_leaf());
}

// grad(id) -> id of a new reference to .grad, or null.
Napi::Value Grad(const Napi::CallbackInfo& info) {
  const at::Tensor& g = table::Get(info[0], "grad").grad();
  if (!g.defined()) return info.Env().Null();
  return Napi::Number::New(info.Env(), table::Put(info.Env(), g));
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = table::Get(info[0], "grad");
  if (info[1].IsNull() || info[1].IsUndefined()) {
    t.mutable_grad().reset();
  } else {
    at::Tensor& g = table::Get(info[1], "setGrad");
    if (!g.sizes().equals(t.sizes()) || g.scalar_type() != t.scalar_type() || g.device() != t.device()) {
      throw Napi::Error::New(info.Env(), "setGrad: a gradient must match its tensor: got " + Describe(g) + " for " + Describe(t));
    }
    Guard(info.Env(), [&] { t.mutable_grad() = g; }, [&] { return "setGrad(" + Describe(t) + ", " + Describe(g) + ")"; });
  }
  return info.Env().Undefined();
}

// backward(id, gradId|null, retainGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  at::Tensor& t = table::Get(info[0], "backward");
  at::Tensor grad;
  if (info.Length() > 1 && info[1].IsNumber()) grad = table::Get(info[1], "backward gradient");
  bool retain = info.Length() > 2 && info[2].ToBoolean();
  Guard(info.Env(), [&] { t.backward(grad, retain); }, [&] { return "backward(" + Describe(t) + ")"; });
  return info.Env().Undefined();
}

// toArrayBuffer(id) -> a new ArrayBuffer with the values in C order (any device or layout).
Napi::Value ToArrayBuffer(const Napi::CallbackInfo& info) {
  at::Tensor& t = table::Get(info[0], "toArrayBuffer");
  at::Tensor c = Guard(info.Env(), [&] { return t.detach().to(at::kCPU).contiguous(); },
                       [&] { return "toArrayBuffer(" + Describe(t) + ")"; });
  size_t n = c.numel() * c.element_size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
  if (n) std::memcpy(buf.Data(), c.data_ptr(), n);
  return buf;
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor& t = table::Get(info[0], "item");
  return Guard(info.Env(), [&]() -> Napi::Value {
    at::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
    return Napi::Number::New(info.Env(), s.toDouble());
  }, [&] { return "item(" + Describe(t) + ")"; });
}

// fromArrayBuffer(arrayBuffer, byteOffset, byteLength, shape[], scalarType, device?) -> id.
// One copy into memory libtorch owns, so a tensor's lifetime never depends on the JS heap.
Napi::Value FromArrayBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  size_t off = info[1].As<Napi::Number>().Int64Value();
  size_t len = info[2].As<Napi::Number>().Int64Value();
  Napi::Array shapeJs = info[3].As<Napi::Array>();
  std::vector<int64_t> shape(shapeJs.Length());
  for (uint32_t i = 0; i < shapeJs.Length(); i++) shape[i] = shapeJs.Get(i).As<Napi::Number>().Int64Value();
  auto dtype = static_cast<c10::ScalarType>(info[4].As<Napi::Number>().Int32Value());
  std::string device = info.Length() > 5 && info[5].IsString() ? info[5].As<Napi::String>().Utf8Value() : "cpu";
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t need = t.numel() * t.element_size();
    if (need != len) {
      throw Napi::RangeError::New(env, "fromArrayBuffer: shape needs " + std::to_string(need) + " bytes of " +
                                           c10::toString(dtype) + ", got " + std::to_string(len));
    }
    if (len) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ab.Data()) + off, len);
    if (device != "cpu") t = t.to(c10::Device(device));
    return Napi::Number::New(env, table::Put(env, std::move(t)));
  }, [&] { return std::string("fromArrayBuffer"); });
}

// copyFromArrayBuffer(id, arrayBuffer, byteOffset, byteLength): overwrite values in place.
Napi::Value CopyFromArrayBuffer(const Napi::CallbackInfo& info) {
  at::Tensor& t = table::Get(info[0], "copyFrom");
  Napi::ArrayBuffer ab = info[1].As<Napi::ArrayBuffer>();
  size_t off = info[2].As<Napi::Number>().Int64Value();
  size_t len = info[3].As<Napi::Number>().Int64Value();
  size_t need = t.numel() * t.element_size();
  if (len != need) {
    throw Napi::RangeError::New(info.Env(), "copyFrom(" + Describe(t) + "): expected " + std::to_string(need) + " bytes, got " + std::to_string(len));
  }
  Guard(info.Env(), [&] {
    at::NoGradGuard no_grad;
    if (t.device().is_cpu() && t.is_contiguous()) {
      if (len) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ab.Data()) + off, len);
    } else {
      t.copy_(at::from_blob(static_cast<uint8_t*>(ab.Data()) + off, t.sizes(), t.options().device(at::kCPU)));
    }
  }, [&] { return "copyFrom(" + Describe(t) + ")"; });
  return info.Env().Undefined();
}

Napi::Value SameStorage(const Napi::CallbackInfo& info) {
  at::Tensor& a = table::Get(info[0], "sameStorage");
  at::Tensor& b = table::Get(info[1], "sameStorage");
  return Napi::Boolean::New(info.Env(), a.storage().is_alias_of(b.storage()));
}

Napi::Value LiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(table::LiveCount()));
}

}  // namespace

void InitTensor(Napi::Env env, Napi::Object exports) {
  ExportAll(env, exports, {
      {"release", Release},
      {"isLive", IsLive},
      {"sizes", Sizes},
      {"strides", Strides},
      {"scalarType", ScalarType},
      {"device", DeviceOf},
      {"isContiguous", IsContiguous},
      {"requiresGrad", RequiresGrad},
      {"setRequiresGrad", SetRequiresGrad},
      {"isLeaf", IsLeaf},
      {"grad", Grad},
      {"setGrad", SetGrad},
      {"backward", Backward},
      {"toArrayBuffer", ToArrayBuffer},
      {"item", Item},
      {"fromArrayBuffer", FromArrayBuffer},
      {"copyFromArrayBuffer", CopyFromArrayBuffer},
      {"sameStorage", SameStorage},
      {"liveCount", LiveCount},
  });
}

}  // namespace skagent
