// The OpenAI-compatible facade: /v1/models and /v1/chat/completions, response and chunk shapes.
// (The official openai npm client is exercised against it in tests/http/openai_client_test.)
#include <catch2/catch.hpp>

#include "support/sse_client.h"
#include "support/test_host.h"

using agent_test::http_request;
using agent_test::post_json;
using agent_test::SseClient;
using agent_test::TestHost;
using nlohmann::json;

namespace {

json completion(const std::string& model, const std::string& message) {
  return {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", message}}})}};
}

void check_openai_error(const agent_test::HttpResult& result, int status, const std::string& code) {
  INFO(result.body);
  CHECK(result.status == status);
  REQUIRE(result.json.contains("error"));
  CHECK(result.json["error"]["code"] == code);
  CHECK(result.json["error"]["type"] == (status >= 500 ? "server_error" : "invalid_request_error"));
  CHECK(result.json["error"].contains("param"));
  CHECK_FALSE(result.json["error"]["message"].get<std::string>().empty());
}

}  // namespace

TEST_CASE("GET /v1/models lists the agents as models", "[http][openai]") {
  TestHost host;
  const auto result = http_request(host.port(), "GET", "/v1/models");
  REQUIRE(result.status == 200);
  CHECK(result.json["object"] == "list");
  std::vector<std::string> ids;
  for (const auto& model : result.json["data"]) {
    CHECK(model["object"] == "model");
    CHECK(model["owned_by"] == "agent-host");
    CHECK(model["created"].is_number_integer());
    ids.push_back(model["id"]);
  }
  CHECK(ids == std::vector<std::string>{"agent_alpha", "agent_beta", "agent_gamma", "fx"});
  CHECK(http_request(host.port(), "GET", "/v1/models/agent_beta").json["id"] == "agent_beta");
  check_openai_error(http_request(host.port(), "GET", "/v1/models/gpt-4o"), 404, "model_not_found");
}

TEST_CASE("a chat completion has OpenAI's exact response shape", "[http][openai]") {
  TestHost host;
  const auto result = post_json(host.port(), "/v1/chat/completions", completion("fx", "hello"));
  REQUIRE(result.status == 200);
  const json& body = result.json;
  CHECK(body["id"].get<std::string>().rfind("chatcmpl-", 0) == 0);
  CHECK(body["object"] == "chat.completion");
  CHECK(body["model"] == "fx");
  CHECK(body["created"].is_number_integer());
  REQUIRE(body["choices"].size() == 1);
  const json& choice = body["choices"][0];
  CHECK(choice["index"] == 0);
  CHECK(choice["finish_reason"] == "stop");
  CHECK(choice["message"]["role"] == "assistant");
  // The agent's system prompt comes first, then the client's transcript.
  CHECK(choice["message"]["content"] == "echo[2]: hello (checked)");
  CHECK(choice["message"]["refusal"].is_null());
  CHECK(body["usage"] ==
        json{{"prompt_tokens", 7}, {"completion_tokens", 3}, {"total_tokens", 10}});
}

TEST_CASE("the client's transcript, system messages included, reaches the provider",
          "[http][openai]") {
  TestHost host;
  json body = completion("fx", "third");
  body["messages"] = json::array({{{"role", "system"}, {"content", "be brief"}},
                                  {{"role", "user"}, {"content", "first"}},
                                  {{"role", "assistant"}, {"content", "second"}},
                                  {{"role", "user"}, {"content", "third"}}});
  const auto result = post_json(host.port(), "/v1/chat/completions", body);
  REQUIRE(result.status == 200);
  CHECK(result.json["choices"][0]["message"]["content"] == "echo[5]: third (checked)");
}

TEST_CASE("a streamed chat completion sends chunks, usage on request, then [DONE]",
          "[http][openai]") {
  TestHost host;
  json body = completion("agent_alpha", "What is diversification?");
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  SseClient client(host.port());
  const auto result = client.post("/v1/chat/completions", body);
  REQUIRE(result.status == 200);
  REQUIRE(result.events.size() > 3);
  CHECK(result.events.back().data == "[DONE]");
  const json& first = result.events.front().json;
  CHECK(first["object"] == "chat.completion.chunk");
  CHECK(first["choices"][0]["delta"]["role"] == "assistant");
  std::string text;
  std::string finish;
  json usage;
  std::string id = first["id"];
  for (std::size_t i = 0; i + 1 < result.events.size(); ++i) {
    const json& chunk = result.events[i].json;
    CHECK(chunk["id"] == id);
    if (chunk["choices"].empty()) {
      usage = chunk["usage"];
      continue;
    }
    CHECK(chunk["usage"].is_null());
    const json& choice = chunk["choices"][0];
    if (choice["delta"].contains("content")) text += choice["delta"]["content"].get<std::string>();
    if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
  }
  CHECK(finish == "stop");
  CHECK(usage["total_tokens"].get<int>() > 0);
  CHECK(text.find("No language model was called") != std::string::npos);
  // The same question without streaming gives the same text.
  body["stream"] = false;
  const auto plain = post_json(host.port(), "/v1/chat/completions", body);
  CHECK(plain.json["choices"][0]["message"]["content"] == text);
}

TEST_CASE("tools pass through: the model's tool calls come back in OpenAI's shape",
          "[http][openai]") {
  TestHost host;
  json body = completion("fx", "TOOL_CALL weather");
  body["tools"] = json::array({{{"type", "function"},
                                {"function",
                                 {{"name", "lookup"},
                                  {"description", "look things up"},
                                  {"parameters", {{"type", "object"}}}}}}});
  const auto result = post_json(host.port(), "/v1/chat/completions", body);
  REQUIRE(result.status == 200);
  const json& choice = result.json["choices"][0];
  CHECK(choice["finish_reason"] == "tool_calls");
  CHECK(choice["message"]["content"].is_null());
  const json& call = choice["message"]["tool_calls"][0];
  CHECK(call["id"] == "call_1");
  CHECK(call["type"] == "function");
  CHECK(call["function"]["name"] == "lookup");

  body["stream"] = true;
  SseClient client(host.port());
  const auto streamed = client.post("/v1/chat/completions", body);
  bool saw_call = false;
  for (const auto& event : streamed.events) {
    if (event.json.is_object() && !event.json["choices"].empty() &&
        event.json["choices"][0]["delta"].contains("tool_calls")) {
      const json& delta_call = event.json["choices"][0]["delta"]["tool_calls"][0];
      CHECK(delta_call["index"] == 0);
      CHECK(delta_call["function"]["name"] == "lookup");
      saw_call = true;
    }
  }
  CHECK(saw_call);
}

TEST_CASE("a domain refusal is finish_reason content_filter with the refusal text",
          "[http][openai]") {
  TestHost host;
  const auto result =
      post_json(host.port(), "/v1/chat/completions", completion("fx", "FORBIDDEN stuff"));
  REQUIRE(result.status == 200);
  const json& choice = result.json["choices"][0];
  CHECK(choice["finish_reason"] == "content_filter");
  CHECK(choice["message"]["refusal"].is_string());
}

TEST_CASE("invalid chat completion requests get 422 in OpenAI's error shape", "[http][openai]") {
  TestHost host;
  const auto post = [&](const json& body) {
    return post_json(host.port(), "/v1/chat/completions", body);
  };
  check_openai_error(post({{"model", "fx"}}), 422, "invalid_request");
  check_openai_error(post({{"messages", json::array({{{"role", "user"}, {"content", "x"}}})}}), 422,
                     "invalid_request");
  json last_assistant = completion("fx", "hi");
  last_assistant["messages"].push_back({{"role", "assistant"}, {"content", "hello"}});
  check_openai_error(post(last_assistant), 422, "invalid_request");
  json two = completion("fx", "hi");
  two["n"] = 2;
  check_openai_error(post(two), 422, "invalid_request");
  json image = completion("fx", "hi");
  image["messages"][0]["content"] =
      json::array({{{"type", "image_url"}, {"image_url", {{"url", "http://x/y.png"}}}}});
  check_openai_error(post(image), 422, "invalid_request");
  json hot = completion("fx", "hi");
  hot["temperature"] = 3;
  check_openai_error(post(hot), 422, "invalid_request");
  check_openai_error(post(completion("gpt-4o", "hi")), 404, "model_not_found");
}

TEST_CASE("a provider failure before any output answers an HTTP error even when streaming",
          "[http][openai]") {
  TestHost host;
  json body = completion("fx", "FAIL_TIMEOUT");
  body["stream"] = true;
  SseClient client(host.port());
  const auto result = client.post("/v1/chat/completions", body);
  CHECK(result.status == 504);
  const json error = json::parse(result.body);
  CHECK(error["error"]["code"] == "upstream_timeout");
  CHECK(error["error"]["type"] == "server_error");
}
