// Runs a whole host in-process on a free loopback port, with the bundled plugins, the fixture
// plugins, the reference agents from config/agents and a fixture agent "fx"; plus small HTTP
// clients (Poco for well-formed requests, a raw socket for malformed ones).
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/host_app.h"
#include "observability/logging.h"
#include "support/fixture_agents.h"

namespace agent_test {

class TestHost {
 public:
  // `tune` may adjust the config before the host starts; `extra_agents` are more agent
  // definitions written to the agents folder.
  explicit TestHost(const std::function<void(agent_host::app::HostConfig&)>& tune = {},
                    const std::vector<nlohmann::json>& extra_agents = {}) {
    agent_host::observability::configure_logging("warn");
    install_fixture_plugins(dir_);
    for (const auto& entry : std::filesystem::directory_iterator(AGENT_TEST_PLUGIN_DIR)) {
      if (entry.path().extension() == ".so") {
        dir_.copy(entry.path(), "plugins/" + entry.path().filename().string());
      }
    }
    dir_.copy(fixture_plugin("not_a_library"), "plugins/not_a_library.so");
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(AGENT_TEST_SOURCE_DIR) / "config/agents")) {
      dir_.copy(entry.path(), "agents/" + entry.path().filename().string());
    }
    dir_.write("agents/fx.json", fixture_agent("fx").dump());
    dir_.write("agents/broken.json", "{\"id\": \"broken\"");
    for (const auto& agent : extra_agents) {
      dir_.write("agents/" + agent["id"].get<std::string>() + ".json", agent.dump());
    }

    agent_host::app::HostConfig config = agent_host::app::default_host_config();
    config.plugins_dir = dir_.path() / "plugins";
    config.agents_dir = dir_.path() / "agents";
    config.http.port = 0;
    config.http.max_threads = 64;
    config.http.io_timeout_ms = 2000;
    config.http.max_body_bytes = 64 * 1024;
    if (tune) tune(config);
    host_ = std::make_unique<agent_host::app::HostApp>(std::move(config));
    host_->start();
  }

  unsigned port() const { return host_->port(); }
  agent_host::app::HostApp& app() { return *host_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::unique_ptr<agent_host::app::HostApp> host_;
};

struct HttpResult {
  int status = 0;
  std::string body;
  nlohmann::json json;  // null when the body is not JSON
  std::map<std::string, std::string> headers;
};

inline HttpResult http_request(unsigned port, const std::string& method, const std::string& path,
                               const std::string& body = "",
                               const std::string& content_type = "application/json",
                               const std::map<std::string, std::string>& headers = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST") {
    request.setContentType(content_type);
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult result;
  result.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, result.body);
  for (const auto& [name, value] : response) result.headers[name] = value;
  result.json = nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
  if (result.json.is_discarded()) result.json = nullptr;
  return result;
}

inline HttpResult post_json(unsigned port, const std::string& path, const nlohmann::json& body) {
  return http_request(port, "POST", path, body.dump());
}

// Sends raw bytes and reads until the server closes the connection (or `timeout_ms` passes).
inline std::string raw_exchange(unsigned port, const std::string& bytes, int timeout_ms = 5000) {
  Poco::Net::StreamSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  socket.setReceiveTimeout(Poco::Timespan(static_cast<long>(timeout_ms) * 1000));
  if (!bytes.empty()) socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  char buffer[4096];
  try {
    for (int n; (n = socket.receiveBytes(buffer, sizeof(buffer))) > 0;) out.append(buffer, n);
  } catch (const Poco::TimeoutException&) {
    out += "<timeout>";
  } catch (const Poco::Exception&) {
  }
  return out;
}

// The JSON body of a raw HTTP response.
inline nlohmann::json raw_body_json(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  if (at == std::string::npos) return nullptr;
  auto json = nlohmann::json::parse(response.substr(at + 4), nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

}  // namespace agent_test
