// Hot reload below HTTP: generations, content-addressed copies, leases, the unload deadline,
// refusal of bad new versions, agents rebuilt, added and removed, and plugin signatures.
#include "reload/reloader.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "plugins/plugin_signature.h"
#include "reload/reload_folders.h"

using namespace agent_host;
using agent_test::fixture_plugin;
using agent_test::install_by_rename;
using agent_test::is_mapped;
using agent_test::ReloadFolders;
using nlohmann::json;

namespace {

struct Host {
  ReloadFolders folders;
  plugins::SecretStore secrets;
  plugins::PluginRegistry plugins;
  agents::AgentRegistry agents;
  reload::Reloader reloader;

  explicit Host(std::chrono::milliseconds deadline = std::chrono::milliseconds(30000),
                std::vector<std::filesystem::path> keys = {},
                const std::string& echo_build = "echo_v1")
      : folders(echo_build),
        reloader({folders.plugins, folders.agents, folders.dir.path() / "cache", deadline,
                  std::move(keys)},
                 plugins, agents, plugins::HostServices{secrets}) {}

  reload::ReloadSummary reload() { return reloader.reload(); }
};

// What the agent's provider answers to "hi" (through the plugin, no pipeline).
std::string answer(const agents::Agent& agent) {
  const json input = {{"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
  return agent.provider().invoke_json("complete", input, {})["message"]["content"];
}

std::shared_ptr<const plugins::PluginLibrary> echo(const Host& host) {
  return host.plugins.current()->find(plugins::PluginKind::provider, "echo");
}

std::string refusal_of(const Host& host, const std::filesystem::path& file) {
  for (const auto& refusal : host.plugins.current()->refused) {
    if (refusal.file == file) return refusal.reason;
  }
  return "";
}

}  // namespace

TEST_CASE("a changed plugin loads beside the running generation from a content-addressed copy",
          "[reload]") {
  Host host;
  host.reload();
  const auto v1 = echo(host);
  REQUIRE(v1);
  CHECK(v1->info().generation == 1);
  CHECK(v1->info().file == host.folders.echo);
  CHECK(v1->info().loaded_from.filename() == v1->info().sha256 + ".so");
  CHECK(v1->info().loaded_from.parent_path() != host.folders.plugins);

  auto lease = host.agents.find("a");  // a request in flight on generation 1
  REQUIRE(lease);
  CHECK(answer(*lease) == "echo-v1[1]: hi");
  CHECK(v1->leases() == 1);

  install_by_rename(fixture_plugin("echo_v2"), host.folders.echo);
  const auto summary = host.reload();
  REQUIRE(summary.loaded.size() == 1);
  CHECK(summary.unloaded.size() == 1);
  const auto v2 = echo(host);
  CHECK(v2->info().generation == 2);
  CHECK(v2->info().version == "2.0.0");
  CHECK(v2->info().sha256 != v1->info().sha256);

  // New requests run the new code; the one in flight finishes on the old.
  CHECK(answer(*host.agents.find("a")) == "echo-v2[1]: hi");
  CHECK(answer(*lease) == "echo-v1[1]: hi");
  REQUIRE(host.reloader.draining().size() == 1);
  CHECK(host.reloader.draining()[0].library == v1);

  const auto old_copy = v1->info().loaded_from;
  CHECK(is_mapped(old_copy));
  lease.reset();
  host.reloader.reap();
  CHECK(host.reloader.draining().empty());
  CHECK(is_mapped(old_copy));  // this test still holds `v1`
}

TEST_CASE("the old generation is really unmapped once its last lease ends", "[reload]") {
  Host host;
  host.reload();
  std::filesystem::path old_copy;
  {
    const auto lease = host.agents.find("a");
    old_copy = lease->provider().info().loaded_from;
    install_by_rename(fixture_plugin("echo_v2"), host.folders.echo);
    host.reload();
    host.reloader.reap();
    CHECK(is_mapped(old_copy));  // leased
  }
  host.reloader.reap();
  CHECK_FALSE(is_mapped(old_copy));
  CHECK(is_mapped(echo(host)->info().loaded_from));

  // Back to the first build: its bytes load again (a new generation) and its code runs.
  install_by_rename(fixture_plugin("echo_v1"), host.folders.echo);
  host.reload();
  CHECK(echo(host)->info().generation == 3);
  CHECK(answer(*host.agents.find("a")) == "echo-v1[1]: hi");
}

TEST_CASE("an unchanged plugin file keeps its generation and its agents", "[reload]") {
  Host host;
  host.reload();
  const auto agent = host.agents.find("a");
  const auto summary = host.reload();
  CHECK(summary.loaded.empty());
  CHECK(summary.unloaded.empty());
  CHECK(echo(host)->info().generation == 1);
  CHECK(host.agents.find("a").get() == agent.get());
}

TEST_CASE("a bad new version is refused and the running generation keeps serving", "[reload]") {
  Host host;
  host.reload();
  const auto v1 = echo(host);

  SECTION("wrong ABI") {
    install_by_rename(fixture_plugin("broken_abi_major_2"), host.folders.echo);
    host.reload();
    CHECK_THAT(refusal_of(host, host.folders.echo), Catch::Contains("ABI major mismatch"));
  }
  SECTION("create() fails for an agent that uses it") {
    install_by_rename(fixture_plugin("echo_create_fails"), host.folders.echo);
    const auto summary = host.reload();
    REQUIRE(summary.refused.size() == 1);
    CHECK_THAT(refusal_of(host, host.folders.echo),
               Catch::Contains("new version refused, generation 1 keeps serving") &&
                   Catch::Contains("agent 'a'") && Catch::Contains("refuses to create"));
    CHECK(host.agents.current()->refused.empty());
  }
  SECTION("not a library at all") {
    install_by_rename(fixture_plugin("not_a_library"), host.folders.echo);
    host.reload();
    CHECK_FALSE(refusal_of(host, host.folders.echo).empty());
  }
  CHECK(echo(host) == v1);
  CHECK(answer(*host.agents.find("a")) == "echo-v1[1]: hi");
  // The same bad bytes are not retried on every pass; a good version replaces them.
  CHECK(host.reload().refused.empty());
  install_by_rename(fixture_plugin("echo_v2"), host.folders.echo);
  host.reload();
  CHECK(refusal_of(host, host.folders.echo).empty());
  CHECK(answer(*host.agents.find("a")) == "echo-v2[1]: hi");
}

TEST_CASE("past the unload deadline a leased generation stays loaded and the refusal is reported",
          "[reload]") {
  Host host(std::chrono::milliseconds(0));
  host.reload();
  auto lease = host.agents.find("a");
  const auto old_copy = lease->provider().info().loaded_from;
  install_by_rename(fixture_plugin("echo_v2"), host.folders.echo);
  host.reload();
  host.reloader.reap();
  auto draining = host.reloader.draining();
  REQUIRE(draining.size() == 1);
  CHECK_THAT(draining[0].refusal, Catch::Contains("unload deferred: 1 request(s) still in flight"));
  CHECK(draining[0].library->leases() == 1);
  draining.clear();
  CHECK(is_mapped(old_copy));
  CHECK(answer(*lease) == "echo-v1[1]: hi");  // never force-unloaded under a request

  lease.reset();
  host.reloader.reap();
  CHECK(host.reloader.draining().empty());
  CHECK_FALSE(is_mapped(old_copy));
}

TEST_CASE("removing a plugin makes its agents unavailable, naming the missing plugin", "[reload]") {
  Host host;
  host.reload();
  auto lease = host.agents.find("a");
  std::filesystem::remove(host.folders.echo);
  const auto summary = host.reload();
  CHECK(summary.unloaded.size() == 1);
  CHECK_FALSE(echo(host));
  CHECK_FALSE(host.agents.find("a"));
  const auto* refusal = host.agents.current()->unavailable("a");
  REQUIRE(refusal != nullptr);
  CHECK_THAT(refusal->reason, Catch::Contains("provider plugin 'echo' is not loaded"));
  CHECK(answer(*lease) == "echo-v1[1]: hi");  // the request in flight finishes

  // The plugin comes back: so does the agent.
  install_by_rename(fixture_plugin("echo_v1"), host.folders.echo);
  host.reload();
  CHECK(host.agents.find("a"));
  CHECK(host.agents.current()->unavailable("a") == nullptr);
}

TEST_CASE("agent files added, changed and removed take effect on reload", "[reload]") {
  Host host;
  host.reload();
  const auto a = host.agents.find("a");

  auto b = agent_test::reload_agent("b");
  host.folders.dir.write("agents/b.json", b.dump());
  host.reload();
  REQUIRE(host.agents.find("b"));
  CHECK(host.agents.find("a").get() == a.get());  // untouched

  b["display_name"] = "Renamed";
  host.folders.dir.write("agents/b.json", b.dump());
  host.reload();
  CHECK(host.agents.find("b")->definition().display_name == "Renamed");

  // A bad new definition is refused; the running agent keeps serving.
  host.folders.dir.write("agents/b.json", "{\"id\": \"b\", \"oops\": 1}");
  host.reload();
  CHECK(host.agents.find("b")->definition().display_name == "Renamed");
  REQUIRE(host.agents.current()->refused.size() == 1);
  CHECK_THAT(host.agents.current()->refused[0].reason,
             Catch::Contains("previous one keeps serving"));

  std::filesystem::remove(host.folders.agents / "b.json");
  host.reload();
  CHECK_FALSE(host.agents.find("b"));
  CHECK(host.agents.current()->unavailable("b") == nullptr);  // gone, not unavailable
}

TEST_CASE("with trusted keys a plugin needs a valid detached signature", "[reload][signing]") {
  agent_test::TempDir keys;
  const auto priv = keys.path() / "private.pem";
  const auto pub = keys.path() / "public.pem";
  const auto other = keys.path() / "other.pem";
  const std::string openssl = "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ";
  REQUIRE(std::system((openssl + "-out " + priv.string() + " 2>/dev/null").c_str()) == 0);
  REQUIRE(std::system(
              ("openssl pkey -in " + priv.string() + " -pubout -out " + pub.string()).c_str()) ==
          0);
  REQUIRE(std::system((openssl + "-out " + other.string() + " 2>/dev/null").c_str()) == 0);

  auto sign = [&](const std::filesystem::path& file, const std::filesystem::path& key) {
    const auto bytes = plugins::read_plugin_file(file);
    std::ofstream(plugins::signature_file(file)) << plugins::sign_plugin_bytes(bytes.data, key);
  };

  Host host(std::chrono::milliseconds(30000), {pub});
  for (const char* name : {"plain_c_personality", "gatekeeper_domain"}) {
    sign(host.folders.plugins / (std::string(name) + ".so"), priv);
  }
  host.reload();
  CHECK_THAT(refusal_of(host, host.folders.echo),
             Catch::Contains("unsigned") && Catch::Contains("echo.so.sig"));
  CHECK_FALSE(host.agents.find("a"));

  sign(host.folders.echo, other);  // signed, but not by a trusted key
  host.reload();
  CHECK_THAT(refusal_of(host, host.folders.echo), Catch::Contains("bad signature"));

  sign(host.folders.echo, priv);
  host.reload();
  CHECK(refusal_of(host, host.folders.echo).empty());
  CHECK(answer(*host.agents.find("a")) == "echo-v1[1]: hi");

  // A new version with the old signature is refused; the signed generation keeps serving.
  install_by_rename(fixture_plugin("echo_v2"), host.folders.echo);
  host.reload();
  CHECK_THAT(refusal_of(host, host.folders.echo), Catch::Contains("bad signature"));
  CHECK(answer(*host.agents.find("a")) == "echo-v1[1]: hi");
}
