// Hot reload through a whole in-process host: the admin API, GET /plugins, the folder watcher,
// a plugin replaced 100 times under concurrent chats and streams, and a plugin removed under a
// stream in flight.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "reload/reload_folders.h"
#include "support/sse_client.h"
#include "support/test_host.h"

using agent_test::fixture_plugin;
using agent_test::http_request;
using agent_test::install_by_rename;
using agent_test::post_json;
using agent_test::ReloadFolders;
using agent_test::SseClient;
using nlohmann::json;

namespace {

// A host on ReloadFolders, with the admin API on (loopback) and the watcher as configured.
struct ReloadHost {
  ReloadFolders folders;
  std::unique_ptr<agent_host::app::HostApp> app;

  explicit ReloadHost(bool watch = false) {
    agent_host::observability::configure_logging("warn");
    auto config = agent_host::app::default_host_config();
    config.plugins_dir = folders.plugins;
    config.agents_dir = folders.agents;
    config.http.port = 0;
    config.http.max_threads = 32;
    config.reload.watch = watch;
    config.reload.debounce = std::chrono::milliseconds(20);
    config.reload.cache_dir = folders.dir.path() / "cache";
    config.store.memory.max_conversations = 10000000;  // every load-test chat is a new one
    config.limits.rate.clear();  // the load tests chat far more than 60 times a minute
    app = std::make_unique<agent_host::app::HostApp>(std::move(config));
    app->start();
  }
  unsigned port() const { return app->port(); }
};

json chat(const std::string& message, bool stream = false) {
  return {{"user_id", "u"}, {"message", message}, {"stream", stream}};
}

std::string answer(unsigned port, const std::string& agent = "a") {
  const auto result = post_json(port, "/agents/" + agent + "/chat", chat("hi"));
  return result.status == 200 ? result.json.value("response", "") : result.body;
}

json echo_entry(unsigned port) {
  const auto listing = http_request(port, "GET", "/plugins");
  for (const auto& plugin : listing.json["plugins"]) {
    if (plugin["id"] == "echo" && plugin["state"] == "loaded") return plugin;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("GET /plugins shows generation, hash, load time, leases and the last refusal per file",
          "[reload][http]") {
  ReloadHost host;
  json echo = echo_entry(host.port());
  REQUIRE(echo.is_object());
  CHECK(echo["generation"] == 1);
  CHECK(echo["sha256"].get<std::string>().size() == 64);
  CHECK(echo["leases"] == 0);
  CHECK(echo["last_refusal"].is_null());
  CHECK(echo["file"] == host.folders.echo.string());
  CHECK_FALSE(echo["loaded_at"].get<std::string>().empty());

  install_by_rename(fixture_plugin("broken_abi_major_2"), host.folders.echo);
  const auto reload = post_json(host.port(), "/admin/plugins/reload", json::object());
  REQUIRE(reload.status == 200);
  CHECK(reload.json["refused"].size() == 1);
  echo = echo_entry(host.port());
  CHECK(echo["generation"] == 1);  // still serving
  CHECK_THAT(echo["last_refusal"].get<std::string>(), Catch::Contains("ABI major mismatch"));
  CHECK(answer(host.port()) == "echo-v1[2]: hi (checked)");
}

TEST_CASE("a plugin renamed into place is picked up by the watcher and serves the next request",
          "[reload][http]") {
  ReloadHost host(/*watch=*/true);
  CHECK(answer(host.port()) == "echo-v1[2]: hi (checked)");
  install_by_rename(fixture_plugin("echo_v2"), host.folders.echo);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string last;
  while (std::chrono::steady_clock::now() < until) {
    last = answer(host.port());
    if (last == "echo-v2[2]: hi (checked)") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(last == "echo-v2[2]: hi (checked)");

  // An agent file written the same way is served too, and removing it stops it.
  const auto b = host.folders.agents / "b.json";
  host.folders.dir.write("agents/.b.json.tmp", agent_test::reload_agent("b").dump());
  std::filesystem::rename(host.folders.agents / ".b.json.tmp", b);
  int status = 0;
  for (int i = 0; i < 1000 && status != 200; ++i) {
    status = post_json(host.port(), "/agents/b/chat", chat("hi")).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(status == 200);
}

TEST_CASE("a plugin replaced 100 times under concurrent chats and streams fails no request",
          "[reload][http][load]") {
  ReloadHost host;
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what) {
    ++failed;
    std::lock_guard lock(failures_mutex);
    if (failures.size() < 5) failures.push_back(what);
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      while (!stop) {
        try {
          if (c % 2 == 0) {
            const auto result = post_json(host.port(), "/agents/a/chat", chat("hi"));
            const std::string text =
                result.json.is_object() ? result.json.value("response", "") : "";
            if (result.status == 200 && text.rfind("echo-v", 0) == 0)
              ++ok;
            else
              fail(std::to_string(result.status) + " " + result.body);
          } else {
            SseClient client(host.port());
            const auto result = client.post("/agents/a/chat", chat("hi MEDIUM_STREAM", true));
            const auto done = agent_test::events_named(result, "done");
            if (result.status == 200 && done.size() == 1)
              ++ok;
            else
              fail("stream " + std::to_string(result.status) + " " + result.body);
          }
        } catch (const std::exception& e) {
          fail(e.what());
        }
      }
    });
  }

  int loaded = 0;
  for (int i = 0; i < 100; ++i) {
    install_by_rename(fixture_plugin(i % 2 == 0 ? "echo_v2" : "echo_v1"), host.folders.echo);
    const auto reload = post_json(host.port(), "/admin/plugins/reload", json::object());
    CHECK(reload.status == 200);  // not REQUIRE: the clients must be joined before leaving
    if (reload.status != 200) break;
    loaded += static_cast<int>(reload.json["loaded"].size());
  }
  // The last version (v1) answers new requests.
  CHECK(answer(host.port()) == "echo-v1[2]: hi (checked)");
  stop = true;
  for (auto& client : clients) client.join();

  INFO((failures.empty() ? std::string() : failures.front()));
  CHECK(failed == 0);
  CHECK(ok > 0);
  CHECK(loaded == 100);
  CHECK(echo_entry(host.port())["generation"] == 101);
  // Every replaced generation is unloaded once its requests ended (the watcher thread reaps).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  json plugins;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    plugins = http_request(host.port(), "GET", "/plugins").json["plugins"];
  } while (plugins.size() != 3 && std::chrono::steady_clock::now() < until);
  CHECK(plugins.size() == 3);
}

TEST_CASE("removing a plugin lets the stream in flight finish, new requests get 503 naming it",
          "[reload][http]") {
  ReloadHost host;
  std::atomic<bool> streaming{false};
  agent_test::SseResult stream;
  std::thread streamer([&] {
    SseClient client(host.port());
    stream = client.post("/agents/a/chat", chat("MEDIUM_STREAM", true), {},
                         [&](const agent_test::SseRecord&) {
                           streaming = true;
                           return true;
                         });
  });
  while (!streaming) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  std::filesystem::remove(host.folders.echo);
  const auto reload = post_json(host.port(), "/admin/plugins/reload", json::object());
  CHECK(reload.json["unloaded"].size() == 1);
  const auto refused = post_json(host.port(), "/agents/a/chat", chat("hi"));
  CHECK(refused.status == 503);
  CHECK(refused.json["error"]["code"] == "agent_unavailable");
  CHECK_THAT(refused.json["error"]["message"].get<std::string>(),
             Catch::Contains("provider plugin 'echo' is not loaded"));
  // The generation is draining, with the stream's lease on it.
  const auto plugins = http_request(host.port(), "GET", "/plugins").json["plugins"];
  bool draining = false;
  for (const auto& plugin : plugins) {
    if (plugin["id"] == "echo" && plugin["state"] == "draining" && plugin["leases"] == 1) {
      draining = true;
    }
  }
  CHECK(draining);

  streamer.join();
  REQUIRE(stream.status == 200);
  const auto done = agent_test::events_named(stream, "done");
  REQUIRE(done.size() == 1);
  CHECK_THAT(done[0].json["response"].get<std::string>(), Catch::Contains("tick 39"));
}

TEST_CASE("the admin API writes agent files back and applies them at once", "[reload][http]") {
  ReloadHost host;
  const unsigned port = host.port();
  json b = agent_test::reload_agent("b");

  auto created = post_json(port, "/admin/agents", b);
  REQUIRE(created.status == 201);
  CHECK(created.json["state"] == "serving");
  CHECK(std::filesystem::exists(host.folders.agents / "b.json"));
  CHECK(answer(port, "b") == "echo-v1[2]: hi (checked)");
  CHECK(post_json(port, "/admin/agents", b).status == 409);

  json invalid = b;
  invalid["surprise"] = true;
  auto rejected = post_json(port, "/admin/agents", invalid);
  CHECK(rejected.status == 422);
  CHECK_THAT(rejected.json["error"]["message"].get<std::string>(), Catch::Contains("surprise"));
  CHECK(http_request(port, "PUT", "/admin/agents/b", json{{"id", "c"}}.dump()).status == 422);

  b["display_name"] = "Bee";
  CHECK(http_request(port, "PUT", "/admin/agents/b", b.dump()).status == 200);
  CHECK(http_request(port, "GET", "/agents/b").json["display_name"] == "Bee");
  json c = agent_test::reload_agent("c");
  c["provider"] = "no_such_provider";
  const auto put = http_request(port, "PUT", "/admin/agents/c", c.dump());
  CHECK(put.status == 201);
  CHECK(put.json["state"] == "unavailable");
  CHECK(post_json(port, "/agents/c/chat", chat("hi")).status == 503);

  CHECK(http_request(port, "DELETE", "/admin/agents/b").status == 200);
  CHECK_FALSE(std::filesystem::exists(host.folders.agents / "b.json"));
  CHECK(post_json(port, "/agents/b/chat", chat("hi")).status == 404);
  CHECK(http_request(port, "DELETE", "/admin/agents/b").status == 404);
}

TEST_CASE("the admin routes are off when admin.enabled is false", "[reload][http]") {
  ReloadFolders folders;
  auto config = agent_host::app::default_host_config();
  config.plugins_dir = folders.plugins;
  config.agents_dir = folders.agents;
  config.http.port = 0;
  config.admin_enabled = false;
  agent_host::app::HostApp app(std::move(config));
  app.start();
  CHECK(post_json(app.port(), "/admin/plugins/reload", json::object()).status == 404);
}
