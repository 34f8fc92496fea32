// c10d, PyTorch's own distributed engine, through the bridge: a TCPStore rendezvous, process
// groups (Gloo on CPU when libgloo's headers were found at build time; NCCL when built against
// libtorch_cuda) and the collectives training needs on tensors of the tensor table.
//
// Nothing long runs on the Node thread: creating a store or a group (both wait for the peers)
// and waiting for a collective happen on libuv's worker pool and settle a Promise. Collectives
// are started on the Node thread (c10d only enqueues them) and return a Work handle, so several
// can be in flight before one wait.
#include "common.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/logger.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#ifdef SKAGENT_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef SKAGENT_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace skagent {
namespace {

using Ms = std::chrono::milliseconds;

// Deliberately never destroyed: at process exit a group whose peer died may still have a
// collective on its worker threads, and ~ProcessGroupGloo would join them (a hang on exit).
auto& g_stores = *new std::unordered_map<int32_t, c10::intrusive_ptr<c10d::Store>>();
auto& g_groups = *new std::unordered_map<int32_t, c10::intrusive_ptr<c10d::ProcessGroup>>();
int32_t g_next_handle = 1;
int32_t g_next_group = 0;

c10::intrusive_ptr<c10d::Store> StoreOf(const Napi::Value& v) {
  auto it = g_stores.find(v.As<Napi::Number>().Int32Value());
  if (it == g_stores.end()) throw Napi::Error::New(v.Env(), "c10d: not a live store handle");
  return it->second;
}

c10::intrusive_ptr<c10d::ProcessGroup> GroupOf(const Napi::Value& v) {
  auto it = g_groups.find(v.As<Napi::Number>().Int32Value());
  if (it == g_groups.end()) throw Napi::Error::New(v.Env(), "c10d: not a live process-group handle (destroyed?)");
  return it->second;
}

std::string What(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

// Runs `work` on libuv's pool and settles a Promise: resolved with `done(env)`, or rejected with
// `context: <libtorch's message>`.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, std::string context, std::function<void()> work,
                std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)),
        context_(std::move(context)), work_(std::move(work)), done_(std::move(done)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      work_();
    } catch (const std::exception& e) {
      SetError(context_ + ": " + What(e));
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    try {
      deferred_.Resolve(done_(env));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string context_;
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> done_;
};

Napi::Value Queue(Napi::Env env, std::string context, std::function<void()> work,
                  std::function<Napi::Value(Napi::Env)> done) {
  auto* w = new PromiseWorker(env, std::move(context), std::move(work), std::move(done));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// { gloo, nccl }: which backends this build has.
Napi::Value Backends(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
#ifdef SKAGENT_WITH_GLOO
  o.Set("gloo", true);
#else
  o.Set("gloo", false);
#endif
#ifdef SKAGENT_WITH_NCCL
  o.Set("nccl", true);
#else
  o.Set("nccl", false);
#endif
  return o;
}

// c10dStore(host, port, isServer, worldSize, timeoutMs) → Promise<handle>. The server waits for
// all worldSize members to connect; a client waits for the server (both up to timeoutMs).
Napi::Value CreateStore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = info[0].As<Napi::String>();
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value());
  opts.isServer = info[2].ToBoolean();
  opts.numWorkers = static_cast<size_t>(info[3].As<Napi::Number>().Uint32Value());
  opts.waitWorkers = true;
  opts.timeout = Ms(info[4].As<Napi::Number>().Int64Value());
  auto slot = std::make_shared<c10::intrusive_ptr<c10d::Store>>();
  std::string context = "c10d TCPStore " + host + ":" + std::to_string(opts.port) + (opts.isServer ? " (server)" : "");
  return Queue(env, context,
      [slot, host, opts] { *slot = c10::make_intrusive<c10d::TCPStore>(host, opts); },
      [slot](Napi::Env env) {
        int32_t h = g_next_handle++;
        g_stores[h] = *slot;
        return Napi::Number::New(env, h);
      });
}

// Small key-value operations for coordination (progress marks, rendezvous of names). They block
// for at most the store's timeout and are meant for a few bytes.
Napi::Value StoreSet(const Napi::CallbackInfo& info) {
  auto store = StoreOf(info[0]);
  std::string key = info[1].As<Napi::String>(), value = info[2].As<Napi::String>();
  Guard(info.Env(), [&] { store->set(key, std::vector<uint8_t>(value.begin(), value.end())); }, [&] { return "c10d store set " + key; });
  return info.Env().Undefined();
}

Napi::Value StoreGet(const Napi::CallbackInfo& info) {
  auto store = StoreOf(info[0]);
  std::string key = info[1].As<Napi::String>();
  auto v = Guard(info.Env(), [&] { return store->get(key); }, [&] { return "c10d store get " + key; });
  return Napi::String::New(info.Env(), std::string(v.begin(), v.end()));
}

Napi::Value StoreAdd(const Napi::CallbackInfo& info) {
  auto store = StoreOf(info[0]);
  std::string key = info[1].As<Napi::String>();
  int64_t by = info[2].As<Napi::Number>().Int64Value();
  auto v = Guard(info.Env(), [&] { return store->add(key, by); }, [&] { return "c10d store add " + key; });
  return Napi::Number::New(info.Env(), static_cast<double>(v));
}

Napi::Value StoreCheck(const Napi::CallbackInfo& info) {
  auto store = StoreOf(info[0]);
  std::string key = info[1].As<Napi::String>();
  bool v = Guard(info.Env(), [&] { return store->check({key}); }, [&] { return "c10d store check " + key; });
  return Napi::Boolean::New(info.Env(), v);
}

// c10dNewGroup(store, rank, worldSize, backend, timeoutMs, deviceHost) → Promise<handle>.
// Every member must call it; it resolves when all are connected. `deviceHost` is the address
// Gloo binds (the interface that reaches the others; GLOO_SOCKET_IFNAME overrides, as in PyTorch).
Napi::Value NewGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto store = StoreOf(info[0]);
  int rank = info[1].As<Napi::Number>().Int32Value();
  int size = info[2].As<Napi::Number>().Int32Value();
  std::string backend = info[3].As<Napi::String>();
  Ms timeout(info[4].As<Napi::Number>().Int64Value());
  std::string deviceHost = info[5].IsString() ? info[5].As<Napi::String>().Utf8Value() : std::string();
  // Each group has its own key space, as torch.distributed's default group does.
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>("skagent_pg" + std::to_string(g_next_group++), store);
  auto slot = std::make_shared<c10::intrusive_ptr<c10d::ProcessGroup>>();
  std::function<void()> work;
  if (backend == "gloo") {
#ifdef SKAGENT_WITH_GLOO
    work = [=] {
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (!deviceHost.empty()) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(deviceHost));
      else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      *slot = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, size, opts);
    };
#else
    throw Napi::Error::New(env, "c10d backend 'gloo' is unavailable: the bridge was built without Gloo's headers (Debian/Ubuntu: apt-get install libgloo-dev, then npm run build:native)");
#endif
  } else if (backend == "nccl") {
#ifdef SKAGENT_WITH_NCCL
    work = [=] {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      *slot = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, size, opts);
    };
#else
    throw Napi::Error::New(env, "c10d backend 'nccl' is unavailable: the bridge was built without libtorch_cuda (NCCL needs a CUDA build of libtorch)");
#endif
  } else {
    throw Napi::Error::New(env, "c10d backend '" + backend + "' is unknown (expected gloo or nccl)");
  }
  std::string context = "c10d " + backend + " group (rank " + std::to_string(rank) + " of " + std::to_string(size) + ")";
  return Queue(env, context, work, [slot](Napi::Env env) {
    int32_t h = g_next_handle++;
    g_groups[h] = *slot;
    return Napi::Number::New(env, h);
  });
}

Napi::Value Destroy(const Napi::CallbackInfo& info) {
  int32_t h = info[0].As<Napi::Number>().Int32Value();
  g_groups.erase(h);
  g_stores.erase(h);
  return info.Env().Undefined();
}

std::vector<at::Tensor> TensorsOf(const Napi::Value& v, const char* what) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(table::Get(a.Get(i), what));
  return out;
}

// PyTorch's own DDP reducer (torch/csrc/distributed/c10d/reducer.cpp, what
// torch.nn.parallel.DistributedDataParallel drives from Python): it hooks the parameters' gradient
// accumulators and starts a bucket's allreduce as soon as all its gradients are ready, so the
// communication overlaps the rest of the backward; the last waits happen in the autograd engine's
// final callback, inside backward(). DDP's logger beside it keeps the reducer's timings (backward
// compute, communication, and how long they overlapped).
struct ReducerHolder {
  std::shared_ptr<c10d::Reducer> reducer;
  std::shared_ptr<c10d::Logger> logger;
};

ReducerHolder& ReducerOf(const Napi::Value& v) {
  if (!v.IsExternal()) throw Napi::Error::New(v.Env(), "c10d: not a reducer handle");
  auto* h = v.As<Napi::External<ReducerHolder>>().Data();
  if (!h->reducer) throw Napi::Error::New(v.Env(), "c10d: the reducer was destroyed");
  return *h;
}

// c10dReducer(group, [paramIds], [names], bucketCapBytes) → reducer. As DDP's constructor
// (torch/nn/parallel/distributed.py, 1.13) with find_unused_parameters=True and
// gradient_as_bucket_view=True: buckets assigned by size in parameter order (a small first bucket
// of 1 MiB, then bucketCapBytes), handed to the reducer in reverse, the order backward produces them.
Napi::Value NewReducer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto pg = GroupOf(info[0]);
  auto params = TensorsOf(info[1], "c10d reducer parameter");
  Napi::Array namesJs = info[2].As<Napi::Array>();
  int64_t cap = info[3].As<Napi::Number>().Int64Value();
  std::unordered_map<size_t, std::string> names;
  for (uint32_t i = 0; i < namesJs.Length(); i++) names[i] = namesJs.Get(i).As<Napi::String>().Utf8Value();
  auto reducer = Guard(env, [&] {
    std::vector<bool> sparse(params.size(), false);
    auto assignment = c10d::compute_bucket_assignment_by_size(
        params, {static_cast<size_t>(c10d::kDefaultFirstBucketBytes), static_cast<size_t>(cap)}, sparse);
    auto indices = std::get<0>(assignment);
    auto limits = std::get<1>(assignment);
    std::reverse(indices.begin(), indices.end());
    std::reverse(limits.begin(), limits.end());
    return std::make_shared<c10d::Reducer>(params, indices, limits, pg, sparse, cap,
                                           /*find_unused_parameters=*/true, /*gradient_as_bucket_view=*/true,
                                           names, /*first_bucket_bytes_cap=*/cap);
  }, [] { return std::string("c10d reducer"); });
  auto logger = std::make_shared<c10d::Logger>(reducer);
  reducer->set_logger(logger);
  return Napi::External<ReducerHolder>::New(env, new ReducerHolder{std::move(reducer), std::move(logger)},
                                            [](Napi::Env, ReducerHolder* h) { delete h; });
}

// c10dReducerPrepare(reducer, [outputIds]): the next backward from these outputs reduces the
// gradients. What DDP's forward does around the module's forward: the logger takes the timings
// of the previous sampled iteration, the prior reduction must have finished, and the autograd
// graph is searched for the parameters it does not reach (ready at once, with zero gradients).
Napi::Value ReducerPrepare(const Napi::CallbackInfo& info) {
  ReducerHolder& h = ReducerOf(info[0]);
  auto outputs = TensorsOf(info[1], "c10d reducer output");
  Guard(info.Env(), [&] {
    h.logger->set_runtime_stats_and_log();
    h.reducer->prepare_for_forward();
    h.reducer->rebuild_buckets();
    h.reducer->prepare_for_backward(outputs);
  }, [] { return std::string("c10d reducer"); });
  return info.Env().Undefined();
}

// c10dReducerStats(reducer) → DDP's integer logging fields (DDPLoggingData.ints_map, as
// DistributedDataParallel._get_ddp_logging_data() gives them), e.g. avg_backward_compute_time,
// avg_backward_comm_time, avg_backward_compute_comm_overlap_time (ns, averaged over the sampled
// iterations before the current one).
Napi::Value ReducerStats(const Napi::CallbackInfo& info) {
  ReducerHolder& h = ReducerOf(info[0]);
  auto data = Guard(info.Env(), [&] { return h.logger->get_ddp_logging_data(); }, [] { return std::string("c10d reducer stats"); });
  Napi::Object out = Napi::Object::New(info.Env());
  for (const auto& [key, value] : data.ints_map) out.Set(key, Napi::Number::New(info.Env(), static_cast<double>(value)));
  return out;
}

// c10dReducerDestroy(reducer): removes its hooks from the parameters now (not at collection).
Napi::Value ReducerDestroy(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal()) {
    auto* h = info[0].As<Napi::External<ReducerHolder>>().Data();
    h->logger.reset();
    h->reducer.reset();
  }
  return info.Env().Undefined();
}

// A started collective, held by JS until waited on (or collected).
struct WorkHolder {
  c10::intrusive_ptr<c10d::Work> work;
  std::string name;
};

Napi::Value WrapWork(Napi::Env env, c10::intrusive_ptr<c10d::Work> work, std::string name) {
  return Napi::External<WorkHolder>::New(env, new WorkHolder{std::move(work), std::move(name)},
                                         [](Napi::Env, WorkHolder* w) { delete w; });
}


c10d::ReduceOp ReduceOpOf(Napi::Env env, const std::string& s) {
  if (s == "sum") return c10d::ReduceOp::SUM;
  if (s == "max") return c10d::ReduceOp::MAX;
  if (s == "min") return c10d::ReduceOp::MIN;
  if (s == "product") return c10d::ReduceOp::PRODUCT;
  throw Napi::Error::New(env, "c10d allreduce: unknown reduction '" + s + "' (sum, max, min, product)");
}

// c10dAllreduce(group, [ids], op) → Work: in place on every tensor of the list (one per device).
Napi::Value Allreduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto pg = GroupOf(info[0]);
  auto tensors = TensorsOf(info[1], "c10d allreduce");
  c10d::AllreduceOptions opts;
  opts.reduceOp = ReduceOpOf(env, info[2].As<Napi::String>());
  auto work = Guard(env, [&] { return pg->allreduce(tensors, opts); }, [] { return std::string("c10d allreduce"); });
  return WrapWork(env, work, "allreduce");
}

// c10dBroadcast(group, [ids], root) → Work: the root's values into every rank's tensors.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto pg = GroupOf(info[0]);
  auto tensors = TensorsOf(info[1], "c10d broadcast");
  c10d::BroadcastOptions opts;
  opts.rootRank = info[2].As<Napi::Number>().Int64Value();
  auto work = Guard(env, [&] { return pg->broadcast(tensors, opts); }, [] { return std::string("c10d broadcast"); });
  return WrapWork(env, work, "broadcast");
}

// c10dAllgather(group, inputId, [outputIds]) → Work: outputs[r] = rank r's input.
Napi::Value Allgather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto pg = GroupOf(info[0]);
  std::vector<at::Tensor> input{table::Get(info[1], "c10d allgather input")};
  std::vector<std::vector<at::Tensor>> outputs{TensorsOf(info[2], "c10d allgather output")};
  auto work = Guard(env, [&] { return pg->allgather(outputs, input); }, [] { return std::string("c10d allgather"); });
  return WrapWork(env, work, "allgather");
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto pg = GroupOf(info[0]);
  auto work = Guard(env, [&] { return pg->barrier(); }, [] { return std::string("c10d barrier"); });
  return WrapWork(env, work, "barrier");
}

// c10dWait([works], timeoutMs) → Promise<void>, settled off the Node thread: resolved when all
// completed, rejected with the first failure or "timed out after N ms".
Napi::Value Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array a = info[0].As<Napi::Array>();
  auto works = std::make_shared<std::vector<WorkHolder>>();
  for (uint32_t i = 0; i < a.Length(); i++) works->push_back(*a.Get(i).As<Napi::External<WorkHolder>>().Data());
  int64_t timeoutMs = info[1].As<Napi::Number>().Int64Value();
  return Queue(env, "c10d",
      [works, timeoutMs] {
        auto deadline = std::chrono::steady_clock::now() + Ms(timeoutMs);
        for (auto& w : *works) {
          auto left = std::chrono::duration_cast<Ms>(deadline - std::chrono::steady_clock::now());
          if (left < Ms(1)) left = Ms(1);
          try {
            w.work->wait(left);
          } catch (const std::exception& e) {
            std::string msg = What(e);
            if (msg.find("timed out") != std::string::npos || msg.find("Timed out") != std::string::npos) {
              throw std::runtime_error(w.name + " timed out after " + std::to_string(timeoutMs) + " ms: " + msg);
            }
            throw std::runtime_error(w.name + " failed: " + msg);
          }
        }
      },
      [](Napi::Env env) { return env.Undefined(); });
}

}  // namespace

void InitDistributed(Napi::Env env, Napi::Object exports) {
  ExportAll(env, exports, {
      {"c10dBackends", Backends},
      {"c10dStore", CreateStore},
      {"c10dStoreSet", StoreSet},
      {"c10dStoreGet", StoreGet},
      {"c10dStoreAdd", StoreAdd},
      {"c10dStoreCheck", StoreCheck},
      {"c10dNewGroup", NewGroup},
      {"c10dDestroy", Destroy},
      {"c10dAllreduce", Allreduce},
      {"c10dBroadcast", Broadcast},
      {"c10dAllgather", Allgather},
      {"c10dBarrier", Barrier},
      {"c10dWait", Wait},
      {"c10dReducer", NewReducer},
      {"c10dReducerPrepare", ReducerPrepare},
      {"c10dReducerStats", ReducerStats},
      {"c10dReducerDestroy", ReducerDestroy},
  });
}

}  // namespace skagent
