// The header-only C++ layer, driven through the C function table exactly as the host drives it.
#include <agent_sdk/plugin.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

namespace {

using agent_sdk::Json;

class Waiter : public agent_sdk::Provider {
 public:
  Waiter(agent_sdk::Host host, const Json& config) : Provider(host), host_(host) {
    if (config.contains("fail")) {
      throw agent_sdk::Error(AGENT_ERR_INVALID_INPUT, config["fail"].get<std::string>());
    }
  }
  Json complete(const Json& input, agent_sdk::Call& call) override {
    const std::string mode = input.value("mode", "");
    if (mode == "secret")
      return {{"secret", host_.secret("long").value_or("<none>")},
              {"missing", host_.secret("missing").has_value()}};
    if (mode == "retryable") throw agent_sdk::Error(AGENT_ERR_UNAVAILABLE, "busy", true);
    if (mode == "std") throw std::logic_error("plain exception");
    if (mode == "wait") {
      while (!call.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      call.throw_if_cancelled();
    }
    call.emit_delta({{"type", "text"}, {"text", "a"}});
    return {{"request_id", std::string(call.request_id())}, {"id", call.id()}};
  }

 private:
  agent_sdk::Host host_;
};

constexpr agent_plugin_descriptor kDescriptor =
    agent_sdk::detail::make_descriptor<Waiter>("waiter", "1.0.0", R"({"description":"x"})");

struct Collected {
  std::string result;
  std::vector<std::string> deltas;
  int32_t code = 0;
  std::string message;
  int32_t retryable = 0;
};

agent_sink sink_for(Collected& c) {
  agent_sink sink{};
  sink.struct_size = sizeof(agent_sink);
  sink.ctx = &c;
  sink.emit = [](void* ctx, const char* event, const char* json, size_t len) -> int {
    auto* c = static_cast<Collected*>(ctx);
    (std::string(event) == "result" ? c->result : c->deltas.emplace_back()) =
        std::string(json, len);
    return 0;
  };
  sink.fail = [](void* ctx, int32_t code, const char* message, size_t len, int32_t retryable) {
    auto* c = static_cast<Collected*>(ctx);
    c->code = code;
    c->message.assign(message, len);
    c->retryable = retryable;
  };
  return sink;
}

const std::string kLongSecret(1000, 's');

agent_host_api host_api() {
  agent_host_api api{};
  api.struct_size = sizeof(agent_host_api);
  api.abi_major = AGENT_ABI_MAJOR;
  api.abi_minor = AGENT_ABI_MINOR;
  api.get_secret = [](void*, const char* name, char* buffer, size_t capacity) -> int64_t {
    if (std::string(name) != "long") return -1;
    if (capacity > 0) {
      const size_t n = std::min(capacity - 1, kLongSecret.size());
      std::memcpy(buffer, kLongSecret.data(), n);
      buffer[n] = '\0';
    }
    return static_cast<int64_t>(kLongSecret.size());
  };
  return api;
}

struct Instance {
  agent_host_api api = host_api();
  agent_instance* handle = nullptr;
  Instance() {
    Collected c;
    const agent_sink sink = sink_for(c);
    REQUIRE(kDescriptor.create(&api, "{}", 2, &sink, &handle) == AGENT_OK);
  }
  ~Instance() { kDescriptor.destroy(handle); }
  int32_t invoke(const std::string& input, Collected& c, uint64_t id = 1) {
    agent_call call{sizeof(agent_call), id, "complete", input.data(), input.size(), "req-9", 0};
    const agent_sink sink = sink_for(c);
    return kDescriptor.invoke(handle, &call, &sink);
  }
};

}  // namespace

TEST_CASE("the export macro's descriptor carries kind, flags and ABI version", "[sdk]") {
  CHECK(kDescriptor.struct_size == sizeof(agent_plugin_descriptor));
  CHECK(kDescriptor.abi_major == AGENT_ABI_MAJOR);
  CHECK(kDescriptor.abi_minor == AGENT_ABI_MINOR);
  CHECK(kDescriptor.kind == AGENT_KIND_PROVIDER);
  CHECK(kDescriptor.flags == 0);
  CHECK(std::string(kDescriptor.id) == "waiter");
}

TEST_CASE("results and deltas flow through the sink with the call's identity", "[sdk]") {
  Instance instance;
  Collected c;
  REQUIRE(instance.invoke("{}", c, 42) == AGENT_OK);
  CHECK(Json::parse(c.result) == Json{{"request_id", "req-9"}, {"id", 42}});
  CHECK(c.deltas == std::vector<std::string>{R"({"text":"a","type":"text"})"});
}

TEST_CASE("exceptions become error codes with messages and retryability", "[sdk]") {
  Instance instance;
  Collected a;
  CHECK(instance.invoke(R"({"mode":"retryable"})", a) == AGENT_ERR_UNAVAILABLE);
  CHECK(a.message == "busy");
  CHECK(a.retryable == 1);
  Collected b;
  CHECK(instance.invoke(R"({"mode":"std"})", b) == AGENT_ERR_INTERNAL);
  CHECK(b.message == "plain exception");
  Collected c;
  CHECK(instance.invoke("{broken", c) == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(c.message, Catch::Contains("invalid JSON"));
}

TEST_CASE("create reports a constructor's error and sets no instance", "[sdk]") {
  agent_host_api api = host_api();
  agent_instance* handle = nullptr;
  Collected c;
  const agent_sink sink = sink_for(c);
  const std::string config = R"({"fail":"no key configured"})";
  CHECK(kDescriptor.create(&api, config.data(), config.size(), &sink, &handle) ==
        AGENT_ERR_INVALID_INPUT);
  CHECK(handle == nullptr);
  CHECK(c.message == "no key configured");
  CHECK(kDescriptor.create(&api, "[1]", 3, &sink, &handle) == AGENT_ERR_INVALID_INPUT);
}

TEST_CASE("secrets longer than the first buffer are read whole", "[sdk]") {
  Instance instance;
  Collected c;
  REQUIRE(instance.invoke(R"({"mode":"secret"})", c) == AGENT_OK);
  const auto json = Json::parse(c.result);
  CHECK(json["secret"] == kLongSecret);
  CHECK(json["missing"] == false);
}

TEST_CASE("cancel from another thread stops a running call", "[sdk]") {
  Instance instance;
  Collected c;
  std::atomic<int32_t> status{-1};
  std::thread worker([&] { status = instance.invoke(R"({"mode":"wait"})", c, 7); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kDescriptor.cancel(instance.handle, 999);  // unknown ids are ignored
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(status == -1);
  kDescriptor.cancel(instance.handle, 7);
  worker.join();
  CHECK(status == AGENT_ERR_CANCELLED);
  CHECK(c.code == AGENT_ERR_CANCELLED);
}
