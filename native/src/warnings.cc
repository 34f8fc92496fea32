// libtorch's warnings (TORCH_WARN: DDP's reducer, deprecated calls, resized outputs) go to a JS
// callback instead of glog's stderr lines ("Logging before InitGoogleLogging() ..."), so that
// src/torch/native.ts can make them Node process warnings that a program can see and filter.
//
// c10 keeps its warning handler per thread: this covers warnings raised on the JS thread,
// including those the autograd engine raised on its worker threads and replays on the caller
// at the end of backward(); warnings from libtorch's own threads (Gloo's) keep the default.
#include "common.h"

#include <c10/util/Exception.h>
#include <torch/version.h>

#include <cstdio>
#include <deque>
#include <memory>

namespace skagent {
namespace {

void SetC10Handler(c10::WarningHandler* handler) {
#if TORCH_VERSION_MAJOR >= 2
  c10::WarningUtils::set_warning_handler(handler);
#else
  c10::Warning::set_warning_handler(handler);
#endif
}

// For a warning that arrives while the environment shuts down: still visible, never lost.
void PrintDirectly(const std::string& msg) { std::fprintf(stderr, "LibtorchWarning: %s\n", msg.c_str()); }

// The JS callback and the warnings raised but not yet delivered to it. Everything here runs on
// the JS thread (c10's handler is per thread), so it needs no lock.
struct Channel {
  Napi::Env env;
  Napi::ThreadSafeFunction callback;
  std::deque<std::string> undelivered;

  void Deliver(Napi::Env live, Napi::Function fn) {
    callback.Unref(live);
    std::deque<std::string> batch;
    batch.swap(undelivered);
    for (const std::string& msg : batch) {
      try {
        fn.Call({Napi::String::New(live, msg)});
      } catch (const Napi::Error&) {
        PrintDirectly(msg);  // JS can no longer run
      }
    }
  }

  void PrintUndelivered() {
    for (const std::string& msg : undelivered) PrintDirectly(msg);
    undelivered.clear();
  }
};

class ForwardToJs : public c10::WarningHandler {
 public:
  explicit ForwardToJs(std::shared_ptr<Channel> channel) : channel_(std::move(channel)) { SetC10Handler(this); }

  // At the environment's cleanup, or at exit() (process.exit() skips the cleanup hooks but still
  // destroys the main thread's thread_local): libtorch's default handler again, and what was
  // not delivered is printed.
  ~ForwardToJs() override {
    SetC10Handler(nullptr);
    channel_->PrintUndelivered();
  }

#if TORCH_VERSION_MAJOR >= 2
  void process(const c10::Warning& warning) override { Forward(warning.msg()); }
#else
  void process(const c10::SourceLocation&, const std::string& msg, const bool) override { Forward(msg); }
#endif

 private:
  // Possibly inside an operator: the delivery is queued, and holds the event loop open until done.
  void Forward(const std::string& msg) {
    channel_->undelivered.push_back(msg);
    if (channel_->undelivered.size() > 1) return;  // a delivery is already queued
    std::shared_ptr<Channel> channel = channel_;
    if (channel->callback.NonBlockingCall([channel](Napi::Env env, Napi::Function fn) { channel->Deliver(env, fn); }) != napi_ok) {
      channel->PrintUndelivered();
      return;
    }
    channel->callback.Ref(channel->env);
  }

  std::shared_ptr<Channel> channel_;
};

// The handler installed on this (JS) thread; one per environment, as each has its own thread.
thread_local std::unique_ptr<ForwardToJs> installed;

void Uninstall() { installed.reset(); }

// setWarningHandler(fn), once per environment: fn(message) receives each later warning, after
// the call that raised it returns.
Napi::Value SetWarningHandler(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "setWarningHandler: expected a function");
  if (installed) throw Napi::Error::New(env, "setWarningHandler: a handler is already set in this environment");
  auto channel = std::make_shared<Channel>(Channel{env, Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "libtorch warning", 0, 1)});
  channel->callback.Unref(env);  // only a queued warning holds the process open
  installed = std::make_unique<ForwardToJs>(channel);
  env.AddCleanupHook(Uninstall);
  return env.Undefined();
}

}  // namespace

void InitWarnings(Napi::Env env, Napi::Object exports) {
  ExportAll(env, exports, {{"setWarningHandler", SetWarningHandler}});
}

}  // namespace skagent
