// The generic bridge to the ATen operator dispatcher: any operator, by schema name, called boxed.
// JS values are converted to IValues by walking the operator's schema, results back to JS.
#include "common.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <memory>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace skagent {

namespace {

struct OpEntry {
  c10::OperatorHandle handle;
  std::string display;  // "aten::conv2d"
};
std::vector<std::unique_ptr<OpEntry>> g_ops;
// "name.overload" -> index in g_ops: asking for the same operator again returns the same id.
std::unordered_map<std::string, size_t> g_op_ids;

std::string TypeError(const c10::Argument& arg, const char* expected) {
  return "argument '" + arg.name() + "' (" + arg.type()->str() + "): expected " + expected;
}

int64_t ToInt(const Napi::Value& v, const c10::Argument& arg) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) throw std::invalid_argument(TypeError(arg, "an integer"));
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless = true;
    int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw std::invalid_argument(TypeError(arg, "an int64"));
    return r;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  throw std::invalid_argument(TypeError(arg, "an integer"));
}

double ToDouble(const Napi::Value& v, const c10::Argument& arg) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  throw std::invalid_argument(TypeError(arg, "a number"));
}

// JS numbers become integral Scalars when they hold an integer, as Python literals 2 and 2.0 do
// for int and float. Pass {float: x} to force a floating Scalar.
c10::Scalar ToScalar(const Napi::Value& v, const c10::Argument& arg) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isfinite(d) && d == static_cast<double>(static_cast<int64_t>(d)) && std::abs(d) < 9.007199254740992e15) {
      return c10::Scalar(static_cast<int64_t>(d));
    }
    return c10::Scalar(d);
  }
  if (v.IsBigInt()) {
    bool lossless = true;
    return c10::Scalar(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  if (v.IsObject() && v.As<Napi::Object>().Has("float")) {
    return c10::Scalar(v.As<Napi::Object>().Get("float").As<Napi::Number>().DoubleValue());
  }
  throw std::invalid_argument(TypeError(arg, "a number or boolean"));
}

c10::IValue ToIValue(const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg);

c10::IValue ToList(const Napi::Value& v, const c10::ListTypePtr& type, const c10::Argument& arg) {
  const c10::TypePtr& elem = type->getElementType();
  // `int[2] stride=1` style: a single number broadcasts to the fixed list size.
  if (!v.IsArray()) {
    if (elem->kind() == c10::TypeKind::IntType && (v.IsNumber() || v.IsBigInt()) && arg.N()) {
      return c10::IValue(std::vector<int64_t>(*arg.N(), ToInt(v, arg)));
    }
    throw std::invalid_argument(TypeError(arg, "an array"));
  }
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  switch (elem->kind()) {
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType: {
      std::vector<int64_t> out(n);
      for (uint32_t i = 0; i < n; i++) out[i] = ToInt(a.Get(i), arg);
      return c10::IValue(out);
    }
    case c10::TypeKind::FloatType: {
      std::vector<double> out(n);
      for (uint32_t i = 0; i < n; i++) out[i] = ToDouble(a.Get(i), arg);
      return c10::IValue(out);
    }
    case c10::TypeKind::BoolType: {
      c10::List<bool> out;
      for (uint32_t i = 0; i < n; i++) out.push_back(a.Get(i).ToBoolean().Value());
      return c10::IValue(out);
    }
    case c10::TypeKind::TensorType: {
      std::vector<at::Tensor> out;
      out.reserve(n);
      for (uint32_t i = 0; i < n; i++) out.push_back(table::Get(a.Get(i), "list element"));
      return c10::IValue(out);
    }
    case c10::TypeKind::OptionalType: {
      // Tensor?[] (advanced indexing)
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < n; i++) {
        Napi::Value e = a.Get(i);
        if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
        else out.push_back(table::Get(e, arg.name().c_str()));
      }
      return c10::IValue(out);
    }
    default:
      throw std::invalid_argument(TypeError(arg, "a list of a supported element type"));
  }
}

c10::IValue ToIValue(const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg) {
  switch (type->kind()) {
    case c10::TypeKind::TensorType:
      return table::Get(v, "");
    case c10::TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return ToIValue(v, type->castRaw<c10::OptionalType>()->getElementType(), arg);
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
      return ToInt(v, arg);
    case c10::TypeKind::FloatType:
      return ToDouble(v, arg);
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) throw std::invalid_argument(TypeError(arg, "a boolean"));
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::NumberType:
      return ToScalar(v, arg);
    case c10::TypeKind::StringType:
      if (!v.IsString()) throw std::invalid_argument(TypeError(arg, "a string"));
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) throw std::invalid_argument(TypeError(arg, "a device string such as 'cpu' or 'cuda:0'"));
      return c10::Device(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::ListType:
      return ToList(v, type->cast<c10::ListType>(), arg);
    case c10::TypeKind::GeneratorType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      throw std::invalid_argument(TypeError(arg, "null (custom generators are not supported; use manualSeed)"));
    default:
      throw std::invalid_argument(TypeError(arg, "a supported type"));
  }
}

Napi::Value FromIValue(Napi::Env env, c10::IValue v) {
  if (v.isTensor()) {
    at::Tensor t = std::move(v).toTensor();
    if (!t.defined()) return env.Null();
    return Napi::Number::New(env, table::Put(env, std::move(t)));
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(i, Napi::Number::New(env, table::Put(env, list.get(i))));
    return out;
  }
  if (v.isIntList()) {
    auto list = v.toIntVector();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(i, Napi::Number::New(env, static_cast<double>(list[i])));
    return out;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) out.Set(i, FromIValue(env, elems[i]));
    return out;
  }
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  throw Napi::TypeError::New(env, std::string("unsupported return type ") + v.tagKind());
}

// "input=Float[2, 3] cpu, stride=[1, 1]" from the JS arguments (the IValue stack is consumed by
// the call, so error messages are built from what the caller passed, typed by the schema).
bool HoldsTensors(const c10::TypePtr& type) {
  switch (type->kind()) {
    case c10::TypeKind::TensorType: return true;
    case c10::TypeKind::OptionalType: return HoldsTensors(type->castRaw<c10::OptionalType>()->getElementType());
    case c10::TypeKind::ListType: return HoldsTensors(type->castRaw<c10::ListType>()->getElementType());
    default: return false;
  }
}

std::string DescribeJs(const Napi::Value& v, bool tensors) {
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    std::string s = "[";
    for (uint32_t i = 0; i < a.Length(); i++) s += (i ? ", " : "") + DescribeJs(a.Get(i), tensors);
    return s + "]";
  }
  if (tensors && v.IsNumber()) {
    double id = v.As<Napi::Number>().DoubleValue();
    return table::IsLive(id) ? Describe(table::Get(v, "")) : "disposed tensor";
  }
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsNull() || v.IsUndefined()) return "None";
  return v.ToString().Utf8Value();
}

std::string DescribeArgs(const c10::FunctionSchema& schema, const Napi::CallbackInfo& info) {
  std::string s;
  for (size_t i = 0; i + 1 < info.Length() && i < schema.arguments().size(); i++) {
    Napi::Value v = info[i + 1];
    if (v.IsUndefined()) continue;
    if (!s.empty()) s += ", ";
    const c10::Argument& p = schema.arguments()[i];
    s += p.name() + "=" + DescribeJs(v, HoldsTensors(p.type()));
  }
  return s;
}

// opHandle(name, overload) -> integer id, cached on the JS side.
Napi::Value OpHandle(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::string display = name + (overload.empty() ? "" : "." + overload);
  auto known = g_op_ids.find(display);
  if (known != g_op_ids.end()) return Napi::Number::New(info.Env(), static_cast<double>(known->second));
  auto h = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!h) {
    throw Napi::Error::New(info.Env(), "unknown operator " + display + " (no such schema in this libtorch)");
  }
  g_ops.push_back(std::make_unique<OpEntry>(OpEntry{*h, display}));
  g_op_ids.emplace(display, g_ops.size() - 1);
  return Napi::Number::New(info.Env(), static_cast<double>(g_ops.size() - 1));
}

Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  size_t id = info[0].As<Napi::Number>().Uint32Value();
  std::ostringstream s;
  s << g_ops.at(id)->handle.schema();
  return Napi::String::New(info.Env(), s.str());
}

// callOp(opId, ...args) -> result (tensor id, array for tuples/lists, number, boolean or null).
// Arguments are positional in schema order; undefined or missing trailing ones take their
// defaults. Tensors are passed and returned as table ids.
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= g_ops.size()) throw Napi::RangeError::New(env, "callOp: bad operator id");
  OpEntry& op = *g_ops[id];
  const c10::FunctionSchema& schema = op.handle.schema();
  const auto& params = schema.arguments();
  size_t given = info.Length() - 1;
  if (given > params.size()) {
    std::ostringstream s;
    s << op.display << ": takes " << params.size() << " arguments, got " << given << "\n  schema: " << schema;
    throw Napi::TypeError::New(env, s.str());
  }
  torch::jit::Stack stack;
  stack.reserve(params.size());
  for (size_t i = 0; i < params.size(); i++) {
    const c10::Argument& p = params[i];
    Napi::Value v = i < given ? info[i + 1] : env.Undefined();
    if (v.IsUndefined()) {
      if (p.default_value()) { stack.push_back(*p.default_value()); continue; }
      if (p.type()->kind() == c10::TypeKind::OptionalType) { stack.emplace_back(); continue; }
      throw Napi::TypeError::New(env, op.display + ": missing required argument '" + p.name() + "' (" + p.type()->str() + ")");
    }
    try {
      stack.push_back(ToIValue(v, p.type(), p));
    } catch (const std::invalid_argument& e) {
      std::ostringstream s;
      s << op.display << ": " << e.what() << "\n  schema: " << schema;
      throw Napi::TypeError::New(env, s.str());
    } catch (const Napi::Error& e) {
      throw Napi::Error::New(env, op.display + ": argument '" + p.name() + "': " + e.Message());
    }
  }
  try {
    op.handle.callBoxed(&stack);
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, op.display + "(" + DescribeArgs(schema, info) + "): " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, op.display + "(" + DescribeArgs(schema, info) + "): " + e.what());
  }
  if (stack.size() == 1) return FromIValue(env, std::move(stack[0]));
  if (stack.empty()) return env.Undefined();
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(i, FromIValue(env, std::move(stack[i])));
  return out;
}

}  // namespace

void InitDispatch(Napi::Env env, Napi::Object exports) {
  ExportAll(env, exports, {
      {"opHandle", OpHandle},
      {"opSchema", OpSchema},
      {"callOp", CallOp},
  });
}

}  // namespace skagent
