// Authentication and tenant isolation end to end: a real host (SQLite store) with API keys and
// HS256/RS256 JWTs, called over HTTP and WebSocket.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/WebSocket.h>

#include <catch2/catch.hpp>

#include "security/api_keys.h"
#include "security/auth_config.h"
#include "security/auth_error.h"
#include "support/jwt_tokens.h"
#include "support/test_host.h"

using agent_test::epoch_seconds;
using agent_test::http_request;
using agent_test::TestHost;
using nlohmann::json;

namespace {

const std::string kAliceKey = "alice-acme-key-0123456789abcdefghijklmnop";
const std::string kMalloryKey = "alice-globex-key-0123456789abcdefghijklmn";  // same subject!
const std::string kBobKey = "bob-acme-key-0123456789abcdefghijklmnopqr";
const std::string kAdminKey = "admin-key-0123456789abcdefghijklmnopqrstuv";
const std::string kNoRoleKey = "no-role-key-0123456789abcdefghijklmnopqrs";
const std::string kSecret = "jwt-hs256-secret-for-tests-0123456789";

json api_key(const std::string& id, const std::string& key, const std::string& subject,
             const std::string& tenant, const json& roles) {
  return {{"id", id},
          {"hash", agent_host::security::hash_api_key(key)},
          {"subject", subject},
          {"tenant", tenant},
          {"roles", roles}};
}

// A host with auth: API keys and HS256 JWTs from the secret "jwt_secret", or RS256 with
// `rs256_key` when given.
TestHost auth_host(const std::filesystem::path& rs256_key = {}) {
  return TestHost([rs256_key](agent_host::app::HostConfig& config) {
    config.store.type = agent_host::store::StoreConfig::Type::sqlite;
    config.store.sqlite_path = config.agents_dir.parent_path() / "data/agent-host.db";
    config.secrets["jwt_secret"] = {agent_host::plugins::SecretSource::Type::value, kSecret};
    json jwt = {{"issuer", "https://idp.example"},
                {"audience", "agent-host"},
                {"hs256_secret", "jwt_secret"}};
    if (!rs256_key.empty()) jwt["rs256_public_key"] = rs256_key.string();
    const json auth = {{"api_keys",
                        {api_key("alice", kAliceKey, "alice", "acme", {"user"}),
                         api_key("mallory", kMalloryKey, "alice", "globex", {"user"}),
                         api_key("bob", kBobKey, "bob", "acme", {"user"}),
                         api_key("ops", kAdminKey, "ops", "acme", {"admin"}),
                         api_key("none", kNoRoleKey, "nobody", "acme", json::array())}},
                       {"jwt", jwt}};
    config.auth = agent_host::security::parse_auth_config(auth, config.agents_dir);
  });
}

std::map<std::string, std::string> bearer(const std::string& credential) {
  return {{"Authorization", "Bearer " + credential}};
}

agent_test::HttpResult call(unsigned port, const std::string& method, const std::string& path,
                            const std::string& credential, const json& body = nullptr) {
  return http_request(
      port, method, path, body.is_null() ? "" : body.dump(), "application/json",
      credential.empty() ? std::map<std::string, std::string>{} : bearer(credential));
}

json token_claims() {
  return {{"iss", "https://idp.example"},
          {"aud", "agent-host"},
          {"sub", "jwt-user"},
          {"tenant", "acme"},
          {"roles", {"user"}},
          {"exp", epoch_seconds(std::chrono::seconds(300))}};
}

}  // namespace

TEST_CASE(
    "with auth on, a request without a credential gets 401 with WWW-Authenticate, open "
    "routes stay open",
    "[security][auth_http]") {
  TestHost host = auth_host();
  CHECK(http_request(host.port(), "GET", "/health").status == 200);
  const auto missing = http_request(host.port(), "GET", "/agents");
  CHECK(missing.status == 401);
  CHECK(missing.headers.at("WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(missing.json["error"]["code"] == "missing_credentials");
  CHECK(missing.json["error"]["request_id"].is_string());

  const auto wrong = call(host.port(), "GET", "/agents", kAliceKey + "x");
  CHECK(wrong.status == 401);
  CHECK(wrong.json["error"]["code"] == "invalid_api_key");
  CHECK(wrong.headers.at("WWW-Authenticate").find("invalid_token") != std::string::npos);
  CHECK(wrong.body.find(kAliceKey) == std::string::npos);

  const auto basic = http_request(host.port(), "GET", "/agents", "", "application/json",
                                  {{"Authorization", "Basic YWxpY2U6cHc="}});
  CHECK(basic.json["error"]["code"] == "unsupported_scheme");
  CHECK(http_request(host.port(), "GET", "/agents", "", "application/json",
                     {{"X-API-Key", kAliceKey}})
            .status == 200);
  CHECK(call(host.port(), "GET", "/agents", kAliceKey).status == 200);
  // Not found routes stay 404 (the filter runs after matching).
  CHECK(http_request(host.port(), "GET", "/nowhere").status == 404);
}

TEST_CASE(
    "roles: users chat but get 403 on admin routes, admins reach them, no role reaches "
    "nothing",
    "[security][auth_http]") {
  TestHost host = auth_host();
  const auto plugins = call(host.port(), "GET", "/plugins", kAliceKey);
  CHECK(plugins.status == 403);
  CHECK(plugins.json["error"]["code"] == "forbidden");
  CHECK(call(host.port(), "POST", "/admin/plugins/reload", kAliceKey, json::object()).status ==
        403);
  CHECK(call(host.port(), "GET", "/plugins", kAdminKey).status == 200);
  // The admin routes are on by default with auth (the bind is loopback here anyway).
  CHECK(call(host.port(), "POST", "/admin/plugins/reload", kAdminKey, json::object()).status ==
        200);
  CHECK(call(host.port(), "GET", "/agents", kNoRoleKey).status == 403);
  CHECK(call(host.port(), "POST", "/v1/chat/completions", "",
             {{"model", "fx"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}})
            .status == 401);
  CHECK(call(host.port(), "POST", "/v1/chat/completions", kAliceKey,
             {{"model", "fx"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}})
            .status == 200);
}

TEST_CASE("on /v1 routes 401 and 403 come in OpenAI's error shape with WWW-Authenticate kept",
          "[security][auth_http][openai]") {
  TestHost host = auth_host();
  const json completion = {{"model", "fx"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  const auto check_openai_error = [](const agent_test::HttpResult& result, int status,
                                     const std::string& code) {
    INFO(result.body);
    CHECK(result.status == status);
    REQUIRE(result.json.is_object());
    const json& error = result.json["error"];
    CHECK(error["code"] == code);
    CHECK(error["type"] == "invalid_request_error");
    CHECK(error.contains("param"));
    CHECK_FALSE(error["message"].get<std::string>().empty());
    CHECK(error["request_id"].is_string());
  };
  const auto missing = call(host.port(), "POST", "/v1/chat/completions", "", completion);
  check_openai_error(missing, 401, "missing_credentials");
  CHECK(missing.headers.at("WWW-Authenticate").rfind("Bearer", 0) == 0);

  const auto wrong = call(host.port(), "GET", "/v1/models", kAliceKey + "x");
  check_openai_error(wrong, 401, "invalid_api_key");
  CHECK(wrong.headers.at("WWW-Authenticate").find("invalid_token") != std::string::npos);
  CHECK(wrong.body.find(kAliceKey) == std::string::npos);

  const auto no_role = call(host.port(), "GET", "/v1/models/fx", kNoRoleKey);
  check_openai_error(no_role, 403, "forbidden");
  CHECK_THAT(no_role.json["error"]["message"].get<std::string>(), Catch::Contains("user role"));

  CHECK(call(host.port(), "GET", "/v1/models", kAliceKey).status == 200);
  // Outside /v1 the host's own shape stays.
  const auto native = call(host.port(), "GET", "/agents", "");
  CHECK(native.status == 401);
  CHECK(native.json["error"]["code"] == "missing_credentials");
  CHECK_FALSE(native.json["error"].contains("type"));
}

TEST_CASE("the chat user is the credential's subject, and naming another user is refused",
          "[security][auth_http]") {
  TestHost host = auth_host();
  const auto own = call(host.port(), "POST", "/agents/fx/chat", kAliceKey, {{"message", "hello"}});
  REQUIRE(own.status == 200);
  const std::string id = own.json["conversation_id"];
  const auto read = call(host.port(), "GET", "/conversations/" + id, kAliceKey);
  REQUIRE(read.status == 200);
  CHECK(read.json["user_id"] == "alice");
  CHECK(read.json["tenant"] == "acme");
  const auto named = call(host.port(), "POST", "/agents/fx/chat", kAliceKey,
                          {{"user_id", "alice"}, {"message", "hello"}});
  CHECK(named.status == 200);
  const auto impersonate = call(host.port(), "POST", "/agents/fx/chat", kAliceKey,
                                {{"user_id", "bob"}, {"message", "hello"}});
  CHECK(impersonate.status == 403);
  CHECK(impersonate.json["error"]["code"] == "user_mismatch");
}

TEST_CASE("a tenant can never read, list, continue or delete another tenant's conversation: 404",
          "[security][auth_http]") {
  TestHost host = auth_host();
  const auto first = call(host.port(), "POST", "/agents/fx/chat", kAliceKey, {{"message", "hi"}});
  REQUIRE(first.status == 200);
  const std::string id = first.json["conversation_id"];

  // Mallory's key has the same subject, "alice", in the tenant globex.
  for (const std::string& other : {kMalloryKey, kBobKey}) {
    const auto read = call(host.port(), "GET", "/conversations/" + id, other);
    CHECK(read.status == 404);
    CHECK(read.json["error"]["code"] == "conversation_not_found");
    const auto next = call(host.port(), "POST", "/agents/fx/chat", other,
                           {{"message", "let me in"}, {"conversation_id", id}});
    CHECK(next.status == 404);
    CHECK(call(host.port(), "DELETE", "/conversations/" + id, other).status == 404);
  }
  const auto listed = call(host.port(), "GET", "/conversations", kMalloryKey);
  REQUIRE(listed.status == 200);
  CHECK(listed.json["conversations"].empty());
  CHECK(call(host.port(), "GET", "/conversations?user_id=alice", kBobKey).status == 403);
  const auto own = call(host.port(), "GET", "/conversations", kAliceKey);
  REQUIRE(own.json["conversations"].size() == 1);
  CHECK(own.json["conversations"][0]["conversation_id"] == id);

  // The owner still has it whole; an admin sees and lists every tenant's.
  CHECK(call(host.port(), "GET", "/conversations/" + id, kAliceKey).json["message_count"] == 2);
  CHECK(call(host.port(), "GET", "/conversations/" + id, kAdminKey).status == 200);
  const auto by_admin = call(host.port(), "GET", "/conversations?user_id=alice", kAdminKey);
  CHECK(by_admin.json["conversations"].size() == 1);
  CHECK(call(host.port(), "GET", "/conversations?user_id=alice&tenant=globex", kAdminKey)
            .json["conversations"]
            .empty());
  CHECK(call(host.port(), "DELETE", "/conversations/" + id, kAliceKey).status == 204);
}

TEST_CASE("JWTs through the host: valid, expired, tampered, wrong audience, unsigned",
          "[security][auth_http]") {
  const agent_test::TempDir keys;
  const auto rsa = agent_test::make_rsa_key(keys.path() / "idp.pem");
  TestHost host = auth_host(keys.path() / "idp.pem");
  const auto good = agent_test::sign_hs256(token_claims(), kSecret);
  const auto chat = call(host.port(), "POST", "/agents/fx/chat", good, {{"message", "hi"}});
  REQUIRE(chat.status == 200);
  const std::string id = chat.json["conversation_id"];
  CHECK(call(host.port(), "GET", "/conversations/" + id, good).json["user_id"] == "jwt-user");
  CHECK(call(host.port(), "GET", "/agents", agent_test::sign_rs256(token_claims(), rsa)).status ==
        200);

  const auto refused = [&](json claims, const std::string& code) {
    INFO(code);
    const auto answer =
        call(host.port(), "GET", "/agents", agent_test::sign_hs256(std::move(claims), kSecret));
    CHECK(answer.status == 401);
    CHECK(answer.json["error"]["code"] == code);
  };
  json expired = token_claims();
  expired["exp"] = epoch_seconds(std::chrono::seconds(-3600));
  refused(expired, "token_expired");
  json audience = token_claims();
  audience["aud"] = "billing";
  refused(audience, "invalid_audience");
  json early = token_claims();
  early["nbf"] = epoch_seconds(std::chrono::seconds(3600));
  refused(early, "token_not_yet_valid");

  json admin = token_claims();
  admin["roles"] = {"admin"};
  const auto tampered = agent_test::swap_payload(
      good, agent_test::sign_hs256(admin, "guessed-secret-0123456789abcdef!"));
  const auto forged = call(host.port(), "GET", "/plugins", tampered);
  CHECK(forged.status == 401);
  CHECK(forged.json["error"]["code"] == "invalid_signature");
  const auto none = call(host.port(), "GET", "/agents", agent_test::unsigned_token(admin));
  CHECK(none.json["error"]["code"] == "unsupported_algorithm");
}

TEST_CASE("a WebSocket needs a credential at the upgrade and chats as its subject",
          "[security][auth_http]") {
  TestHost host = auth_host();
  const auto refused = http_request(host.port(), "GET", "/agents/fx/ws");
  CHECK(refused.status == 401);

  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(host.port()));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/agents/fx/ws",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("X-API-Key", kBobKey);
  Poco::Net::HTTPResponse response;
  Poco::Net::WebSocket socket(session, request, response);
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  const std::string message = json{{"message", "hello"}}.dump();
  socket.sendFrame(message.data(), static_cast<int>(message.size()),
                   Poco::Net::WebSocket::FRAME_TEXT);
  json frame;
  for (int i = 0; i < 20; ++i) {
    Poco::Buffer<char> buffer(0);
    int flags = 0;
    socket.receiveFrame(buffer, flags);
    frame = json::parse(std::string(buffer.begin(), buffer.size()));
    if (frame["event"] == "done" || frame["event"] == "error") break;
  }
  REQUIRE(frame["event"] == "done");
  const std::string id = frame["data"]["conversation_id"];
  CHECK(call(host.port(), "GET", "/conversations/" + id, kBobKey).json["user_id"] == "bob");
  CHECK(call(host.port(), "GET", "/conversations/" + id, kAliceKey).status == 404);
}
