#include "http_client/plugin_http_api.h"

#include <agent_sdk/http.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <future>

#include "app/host_app.h"
#include "plugins/plugin_instance.h"
#include "plugins/plugin_loader.h"
#include "support/temp_dir.h"
#include "test_upstream.h"

using namespace http_client_test;
using namespace agent_host;

namespace {

// One plugin instance's view of the host: the agent_host_api with the HTTP table.
struct PluginSide {
  http_client::HttpClient client{test_options()};
  http_client::CallRegistry calls;
  http_client::PluginHttpContext context{&client, &calls, "tool_source/test"};
  agent_http_api table{};
  agent_host_api api{};

  PluginSide() {
    http_client::fill_http_api(table, context);
    api.struct_size = sizeof(agent_host_api);
    api.abi_major = AGENT_ABI_MAJOR;
    api.abi_minor = AGENT_ABI_MINOR;
    api.http = &table;
  }
};

struct RawResult {
  int32_t code;
  std::string error;
  int32_t status = 0;
  std::string body;
};

// Calls the table the way a C plugin would, with a request struct of `struct_size` bytes.
RawResult perform_raw(const agent_http_api& table, agent_http_request request,
                      std::size_t error_capacity = 256) {
  RawResult result{0, "", 0, ""};
  agent_http_response_sink sink{};
  sink.struct_size = sizeof sink;
  sink.ctx = &result;
  sink.on_head = [](void* ctx, int32_t status, const agent_http_header*, size_t) {
    static_cast<RawResult*>(ctx)->status = status;
    return 0;
  };
  sink.on_body = [](void* ctx, const char* data, size_t len) {
    static_cast<RawResult*>(ctx)->body.append(data, len);
    return 0;
  };
  // 'X' everywhere but one byte past the capacity: the host must NUL-terminate what it writes.
  std::vector<char> error(error_capacity + 1, 'X');
  error[error_capacity] = '\0';
  result.code = table.perform(table.ctx, &request, &sink, error.data(), error_capacity);
  if (result.code != AGENT_OK) result.error = error.data();
  return result;
}

agent_sdk::HttpRequest sdk_request(const std::string& method, const std::string& url) {
  agent_sdk::HttpRequest request;
  request.method = method;
  request.url = url;
  return request;
}

agent_http_request raw_get(const char* url) {
  agent_http_request request{};
  request.struct_size = sizeof request;
  request.method = "GET";
  request.url = url;
  return request;
}

}  // namespace

TEST_CASE("a plugin performs requests with agent_sdk::HttpClient over the host's table",
          "[http_client][abi]") {
  TestUpstream upstream;
  std::string authorization, body;
  upstream.route("/v1/messages",
                 [&](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
                   authorization = in.get("x-api-key", "");
                   Poco::StreamCopier::copyToString(in.stream(), body);
                   out.set("request-id", "up-1");
                   out.send() << "answer";
                 });
  PluginSide side;
  const agent_sdk::Host host(&side.api);
  const agent_sdk::HttpClient http(host);
  REQUIRE(http.available());

  agent_sdk::HttpRequest request = sdk_request("POST", upstream.url("/v1/messages"));
  request.headers = {{"x-api-key", "key-123"}, {"content-type", "application/json"}};
  request.body = R"({"q":1})";
  const agent_sdk::HttpResponse response = http.fetch(request);
  CHECK(response.head.status == 200);
  CHECK(response.head.header("Request-Id") == "up-1");
  CHECK(response.body == "answer");
  CHECK(authorization == "key-123");
  CHECK(body == R"({"q":1})");

  try {
    http.fetch(sdk_request("GET", "http://127.0.0.1:1/"));
    FAIL("a refused connection should throw");
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_UNAVAILABLE);
    CHECK(e.retryable());
  }
  try {
    http.perform(
        sdk_request("GET", upstream.url("/v1/messages")), [](const auto&) { return false; },
        [](std::string_view) { return true; });
    FAIL("a handler returning false should throw");
  } catch (const agent_sdk::Error& e) {
    CHECK(e.code() == AGENT_ERR_CANCELLED);
  }
}

TEST_CASE("the table reads request and sink structs by their declared size", "[http_client][abi]") {
  TestUpstream upstream;
  upstream.route("/old", [](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    out.send() << in.get("X-Request-Id", "none");
  });
  PluginSide side;
  const auto scope = side.calls.enter(77, 0, "req-77");
  const std::string url = upstream.url("/old");

  // A plugin whose struct ends before call_id: garbage beyond its size must not be read.
  agent_http_request request = raw_get(url.c_str());
  request.call_id = 77;
  request.total_timeout_ms = -5;
  request.struct_size = offsetof(agent_http_request, call_id);
  auto result = perform_raw(side.table, request);
  CHECK(result.code == AGENT_OK);
  CHECK(result.body == "none");  // call_id was beyond the declared size

  request.struct_size = sizeof request;
  request.total_timeout_ms = 0;
  result = perform_raw(side.table, request);
  CHECK(result.code == AGENT_OK);
  CHECK(result.body == "req-77");

  request.struct_size = offsetof(agent_http_request, body);
  result = perform_raw(side.table, request);
  CHECK(result.code == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(result.error, Catch::Contains("struct_size"));
}

TEST_CASE("bad requests through the table fail with INVALID_INPUT and a bounded message",
          "[http_client][abi]") {
  TestUpstream upstream;
  PluginSide side;
  const std::string url = upstream.url("/x");

  agent_http_request request = raw_get(url.c_str());
  const agent_http_header injected[] = {{"Authorization", "Bearer sk-SECRET\r\nX-Evil: 1"}};
  request.headers = injected;
  request.header_count = 1;
  auto result = perform_raw(side.table, request);
  CHECK(result.code == AGENT_ERR_INVALID_INPUT);
  CHECK_THAT(result.error, Catch::Contains("Authorization") && !Catch::Contains("SECRET"));

  request = raw_get(nullptr);
  CHECK(perform_raw(side.table, request).code == AGENT_ERR_INVALID_INPUT);
  request = raw_get(url.c_str());
  request.header_count = 2;  // but no headers
  CHECK(perform_raw(side.table, request).code == AGENT_ERR_INVALID_INPUT);
  request = raw_get("not a url at all");
  result = perform_raw(side.table, request, 16);
  CHECK(result.code == AGENT_ERR_INVALID_INPUT);
  CHECK(result.error.size() == 15);  // truncated and NUL-terminated
  CHECK(side.table.perform(side.table.ctx, nullptr, nullptr, nullptr, 0) ==
        AGENT_ERR_INVALID_INPUT);
  CHECK(upstream.connections() == 0);
}

TEST_CASE("a sink callback returning non-zero aborts the request with CANCELLED",
          "[http_client][abi]") {
  TestUpstream upstream;
  upstream.route("/x", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.send() << "body";
  });
  PluginSide side;
  const std::string url = upstream.url("/x");
  agent_http_request request = raw_get(url.c_str());
  agent_http_response_sink sink{};
  sink.struct_size = sizeof sink;
  sink.on_body = [](void*, const char*, size_t) { return 1; };
  char error[256];
  CHECK(side.table.perform(side.table.ctx, &request, &sink, error, sizeof error) ==
        AGENT_ERR_CANCELLED);
  CHECK_THAT(error, Catch::Contains("stopped by the response handler"));
}

namespace {

std::shared_ptr<const plugins::PluginLibrary> http_fetch_plugin() {
  auto loaded = plugins::load_plugin(agent_test::fixture_plugin("http_fetch_tool"));
  REQUIRE(loaded.plugin);
  return loaded.plugin;
}

nlohmann::json fetch_input(const std::string& url) {
  return {{"name", "fetch"}, {"arguments", {{"url", url}}}};
}

}  // namespace

TEST_CASE("a plugin instance gets the HTTP table only when the host offers a client",
          "[http_client][abi][plugins]") {
  TestUpstream upstream;
  upstream.route("/id", [](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    out.send() << in.get("X-Request-Id", "none");
  });
  const plugins::SecretStore secrets;
  http_client::HttpClient client(test_options());
  http_client::CallRegistry calls;

  plugins::PluginInstance without(http_fetch_plugin(), {}, plugins::HostServices{secrets});
  auto result = without.invoke("call_tool", fetch_input(upstream.url("/id")).dump(), {});
  CHECK(result.status == AGENT_ERR_UNSUPPORTED);

  plugins::PluginInstance with(http_fetch_plugin(), {},
                               plugins::HostServices{secrets, &client, &calls});
  plugins::CallOptions options;
  options.request_id = "req-from-http";
  result = with.invoke("call_tool", fetch_input(upstream.url("/id")).dump(), options);
  REQUIRE(result.ok());
  const auto json = nlohmann::json::parse(result.result);
  CHECK(json["status"] == 200);
  CHECK(json["content"][0]["text"] == "req-from-http");  // the call's id went upstream
  CHECK(calls.running() == 0);                           // registered only while it ran
}

TEST_CASE("cancelling a call aborts its plugin's blocked request even if the plugin ignores it",
          "[http_client][abi][plugins]") {
  TestUpstream upstream;
  std::promise<void> arrived;
  upstream.route("/stall", [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    arrived.set_value();
    upstream.gate.wait();
    out.send() << "late";
  });
  const plugins::SecretStore secrets;
  http_client::HttpClient client(test_options());
  http_client::CallRegistry calls;
  plugins::PluginInstance instance(http_fetch_plugin(), {},
                                   plugins::HostServices{secrets, &client, &calls});
  plugins::CallOptions options;
  options.call_id = plugins::PluginInstance::next_call_id();
  auto running = std::async(std::launch::async, [&] {
    return instance.invoke("call_tool", fetch_input(upstream.url("/stall")).dump(), options);
  });
  REQUIRE(arrived.get_future().wait_for(5s) == std::future_status::ready);
  std::this_thread::sleep_for(50ms);
  const auto cancelled_at = std::chrono::steady_clock::now();
  instance.cancel(options.call_id);
  REQUIRE(running.wait_for(1s) == std::future_status::ready);
  const auto result = running.get();
  CHECK(elapsed_ms(cancelled_at) < 1000);
  CHECK(result.status == AGENT_ERR_CANCELLED);
}

TEST_CASE("a host whose http_client.ca_file cannot be read refuses to start, saying why",
          "[http_client][app]") {
  agent_test::TempDir dir;
  auto config = app::default_host_config();
  config.plugins_dir = dir.path();
  config.agents_dir = dir.path();
  config.http.port = 0;
  config.http_client.ca_file = (dir.path() / "missing.pem").string();
  CHECK_THROWS_WITH(app::HostApp(config),
                    Catch::Contains("CA file") && Catch::Contains("missing.pem"));
}
