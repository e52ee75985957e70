#include "plugins/plugin_instance.h"

#include <catch2/catch.hpp>
#include <thread>

#include "plugins/plugin_loader.h"
#include "support/temp_dir.h"

using namespace agent_host::plugins;
using agent_test::fixture_plugin;

namespace {

std::shared_ptr<const PluginLibrary> load(const std::string& name) {
  auto result = load_plugin(fixture_plugin(name));
  REQUIRE(result.plugin);
  return result.plugin;
}

// Secrets only: no HTTP client, no call registry.
const SecretStore kSecrets;
const HostServices kServices{kSecrets};

const nlohmann::json kMessages = {{"messages", {{{"role", "user"}, {"content", "hello"}}}}};

}  // namespace

TEST_CASE("invoke returns the plugin's result and streams its deltas", "[plugins][instance]") {
  PluginInstance instance(load("echo_provider"), {{"prefix", "hi"}}, kServices);
  std::vector<std::string> deltas;
  CallOptions options;
  options.on_delta = [&](std::string_view json) {
    deltas.emplace_back(json);
    return true;
  };
  const auto result = instance.invoke("complete", kMessages.dump(), options);
  REQUIRE(result.ok());
  const auto json = nlohmann::json::parse(result.result);
  CHECK(json["message"]["content"] == "hi[1]: hello");
  REQUIRE(deltas.size() == 1);
  CHECK(nlohmann::json::parse(deltas[0])["text"] == "hi[1]: hello");
}

TEST_CASE("a delta refused by the host cancels the call", "[plugins][instance]") {
  PluginInstance instance(load("echo_provider"), {}, kServices);
  CallOptions options;
  options.on_delta = [](std::string_view) { return false; };
  const auto result = instance.invoke("complete", kMessages.dump(), options);
  CHECK(result.status == AGENT_ERR_CANCELLED);
}

TEST_CASE("plugin errors come back as status, message and retryability", "[plugins][instance]") {
  PluginInstance instance(load("echo_provider"), {}, kServices);
  const nlohmann::json down = {{"messages", {{{"role", "user"}, {"content", "FAIL_UNAVAILABLE"}}}}};
  auto result = instance.invoke("complete", down.dump(), {});
  CHECK(result.status == AGENT_ERR_UNAVAILABLE);
  CHECK(result.retryable);
  CHECK(result.error == "upstream is down (fixture)");

  const nlohmann::json thrower = {{"messages", {{{"role", "user"}, {"content", "FAIL_THROW"}}}}};
  result = instance.invoke("complete", thrower.dump(), {});
  CHECK(result.status == AGENT_ERR_INTERNAL);
  CHECK(result.error == "fixture threw");

  result = instance.invoke("no_such_method", "{}", {});
  CHECK(result.status == AGENT_ERR_UNSUPPORTED);
  CHECK_THAT(result.error, Catch::Contains("no_such_method"));

  result = instance.invoke("complete", "{not json", {});
  CHECK(result.status == AGENT_ERR_INVALID_INPUT);
}

TEST_CASE("a plain C plugin is invoked through the same ABI", "[plugins][instance]") {
  PluginInstance instance(load("plain_c_personality"), {}, kServices);
  const auto json = instance.invoke_json("describe", nlohmann::json::object(), {});
  CHECK(json["tone"] == "matter-of-fact");
  CHECK_THROWS_WITH(instance.invoke_json("other", nlohmann::json::object(), {}),
                    Catch::Contains("only implements describe"));
}

TEST_CASE("a create that fails is reported with the plugin file and its reason",
          "[plugins][instance]") {
  const auto library = load("broken_create_fails");
  try {
    PluginInstance instance(library, {}, kServices);
    FAIL("create should have failed");
  } catch (const PluginCreateError& e) {
    CHECK_THAT(e.what(), Catch::Contains("broken_create_fails.so"));
    CHECK_THAT(e.what(), Catch::Contains("missing required setting"));
  }
}

TEST_CASE("a create that throws in C++ is turned into an error, not a crash",
          "[plugins][instance]") {
  CHECK_THROWS_WITH(PluginInstance(load("create_throws"), {}, kServices),
                    Catch::Contains("create_throws.so") && Catch::Contains("constructor exploded"));
}

TEST_CASE("instances keep their library loaded after the loader's reference is gone",
          "[plugins][instance]") {
  std::unique_ptr<PluginInstance> instance;
  {
    auto library = load("echo_provider");
    instance = std::make_unique<PluginInstance>(library, nlohmann::json::object(), kServices);
  }
  CHECK(instance->invoke("complete", kMessages.dump(), {}).ok());
}

TEST_CASE("a thread-safe plugin serves concurrent calls", "[plugins][instance]") {
  PluginInstance instance(load("echo_provider"), {}, kServices);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) ok += instance.invoke("complete", kMessages.dump(), {}).ok();
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == 1600);
}
