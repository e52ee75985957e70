// agent_sdk/http.hpp — C++17 wrapper over the host's HTTP client (agent_http_api, ABI 1.1).
//
//   agent_sdk::HttpClient http(host());
//   agent_sdk::HttpRequest request;
//   request.method = "POST";
//   request.url = url;
//   request.headers = {{"content-type", "application/json"}};
//   request.body = payload.dump();
//   request.call_id = call.id();  // aborted when the host cancels the call
//   http.perform(request, [](const agent_sdk::HttpHead& head) { return true; },
//                [](std::string_view bytes) { return true; });
//
// Transport failures (connect, TLS, timeout, cancellation) throw agent_sdk::Error with the host's
// AGENT_ERR_* code; any complete response, whatever its status, is returned normally.
#ifndef AGENT_SDK_HTTP_HPP
#define AGENT_SDK_HTTP_HPP

#include <agent_sdk/plugin.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agent_sdk {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  // The invoke() this request serves (Call::id()); 0 when it serves none.
  uint64_t call_id = 0;
  // Zero takes the host's default.
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds first_byte_timeout{0};
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds total_timeout{0};
};

struct HttpHead {
  int status = 0;
  HttpHeaders headers;

  // The first header called `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() == name.size() &&
          std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return value;
      }
    }
    return std::nullopt;
  }
};

struct HttpResponse {
  HttpHead head;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(const Host& host) noexcept
      : api_(host.raw() != nullptr && host.raw()->abi_minor >= 1 ? host.raw()->http : nullptr) {}

  // False when the host offers no HTTP client (an ABI 1.0 host).
  bool available() const noexcept { return api_ != nullptr && api_->perform != nullptr; }

  using HeadHandler = std::function<bool(const HttpHead&)>;
  using BodyHandler = std::function<bool(std::string_view)>;

  // Streams the response to the handlers; a handler returning false aborts the request (which
  // then throws Error(AGENT_ERR_CANCELLED)). Throws Error on transport failure.
  void perform(const HttpRequest& request, const HeadHandler& on_head,
               const BodyHandler& on_body) const {
    if (!available()) {
      throw Error(AGENT_ERR_UNSUPPORTED, "this host offers no HTTP client (ABI 1.1 needed)");
    }
    std::vector<agent_http_header> headers;
    headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
      headers.push_back(agent_http_header{name.c_str(), value.c_str()});
    }
    agent_http_request raw{};
    raw.struct_size = sizeof(agent_http_request);
    raw.method = request.method.c_str();
    raw.url = request.url.c_str();
    raw.headers = headers.data();
    raw.header_count = headers.size();
    raw.body = request.body.data();
    raw.body_len = request.body.size();
    raw.call_id = request.call_id;
    raw.connect_timeout_ms = request.connect_timeout.count();
    raw.first_byte_timeout_ms = request.first_byte_timeout.count();
    raw.idle_timeout_ms = request.idle_timeout.count();
    raw.total_timeout_ms = request.total_timeout.count();

    Handlers handlers{&on_head, &on_body, nullptr};
    agent_http_response_sink sink{sizeof(agent_http_response_sink), &handlers, &on_head_thunk,
                                  &on_body_thunk};
    char error[512] = {0};
    const int32_t status = api_->perform(api_->ctx, &raw, &sink, error, sizeof(error));
    if (handlers.exception) std::rethrow_exception(handlers.exception);
    if (status != AGENT_OK) {
      const bool retryable = status == AGENT_ERR_UNAVAILABLE || status == AGENT_ERR_TIMEOUT;
      throw Error(status, error[0] != '\0' ? std::string(error) : "HTTP request failed",
                  retryable);
    }
  }

  // Buffers the whole response; throws Error(AGENT_ERR_UPSTREAM) past `max_body` bytes.
  HttpResponse fetch(const HttpRequest& request, size_t max_body = 16u << 20) const {
    HttpResponse response;
    perform(
        request,
        [&](const HttpHead& head) {
          response.head = head;
          return true;
        },
        [&](std::string_view bytes) {
          if (response.body.size() + bytes.size() > max_body) {
            throw Error(AGENT_ERR_UPSTREAM,
                        "response body larger than " + std::to_string(max_body) + " bytes");
          }
          response.body.append(bytes);
          return true;
        });
    return response;
  }

 private:
  struct Handlers {
    const HeadHandler* on_head;
    const BodyHandler* on_body;
    std::exception_ptr exception;  // rethrown on the plugin's side of perform()
  };

  static int on_head_thunk(void* ctx, int32_t status, const agent_http_header* headers,
                           size_t count) noexcept {
    auto* handlers = static_cast<Handlers*>(ctx);
    try {
      HttpHead head;
      head.status = status;
      head.headers.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        head.headers.emplace_back(headers[i].name, headers[i].value);
      }
      return (*handlers->on_head && !(*handlers->on_head)(head)) ? 1 : 0;
    } catch (...) {
      handlers->exception = std::current_exception();
      return 1;
    }
  }

  static int on_body_thunk(void* ctx, const char* data, size_t len) noexcept {
    auto* handlers = static_cast<Handlers*>(ctx);
    try {
      return (*handlers->on_body && !(*handlers->on_body)(std::string_view(data, len))) ? 1 : 0;
    } catch (...) {
      handlers->exception = std::current_exception();
      return 1;
    }
  }

  const agent_http_api* api_;
};

}  // namespace agent_sdk

#endif  // AGENT_SDK_HTTP_HPP
