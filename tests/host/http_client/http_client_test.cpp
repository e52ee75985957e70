#include "http_client/http_client.h"

#include <Poco/StreamCopier.h>
#include <agent_sdk/agent_plugin.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <future>

#include "http_client/call_registry.h"
#include "test_upstream.h"

using namespace http_client_test;
using agent_host::http_client::CallRegistry;
using agent_host::http_client::ClientOptions;
using agent_host::http_client::HttpClient;
using agent_host::http_client::Outcome;
using agent_host::http_client::ProxySettings;
using agent_host::http_client::Request;

namespace {

Request get(const std::string& url) {
  Request request;
  request.method = "GET";
  request.url = url;
  return request;
}

// A handler that writes `first`, then waits on the upstream's gate before it ends the body.
TestUpstream::Handler stall_after(TestUpstream& upstream, std::string first) {
  return [&upstream, first](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.setChunkedTransferEncoding(true);
    auto& body = out.send();
    body << first;
    body.flush();
    upstream.gate.wait();
    body << "end";
  };
}

constexpr const char* kSecret = "sk-test-SECRET-0123456789";

}  // namespace

TEST_CASE("a POST arrives with its headers and body, and the response comes back",
          "[http_client]") {
  TestUpstream upstream;
  std::string method, body, content_type, authorization, host, user_agent, request_id;
  upstream.route("/v1/echo",
                 [&](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
                   method = in.getMethod();
                   content_type = in.getContentType();
                   authorization = in.get("Authorization", "");
                   host = in.getHost();
                   user_agent = in.get("User-Agent", "");
                   request_id = in.get("X-Request-Id", "none");
                   Poco::StreamCopier::copyToString(in.stream(), body);
                   out.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
                   out.set("X-Reply", "yes");
                   out.setContentType("application/json");
                   out.send() << R"({"ok":true})";
                 });
  HttpClient client(test_options());
  Request request;
  request.method = "POST";
  request.url = upstream.url("/v1/echo?mode=full");
  request.headers = {{"Content-Type", "application/json"},
                     {"Authorization", std::string("Bearer ") + kSecret}};
  const std::string payload = R"({"messages":[{"role":"user","content":"héllo"}]})";
  request.body = payload;
  Collected response;
  const Outcome outcome = client.perform(request, response);

  REQUIRE(outcome.ok());
  CHECK(outcome.status == 201);
  CHECK(response.status == 201);
  CHECK(response.header("x-reply") == "yes");
  CHECK(response.body() == R"({"ok":true})");
  CHECK(outcome.body_bytes == response.body().size());
  CHECK(method == "POST");
  CHECK(body == payload);
  CHECK(content_type == "application/json");
  CHECK(authorization == std::string("Bearer ") + kSecret);
  CHECK(host == "127.0.0.1:" + std::to_string(upstream.port()));
  CHECK_THAT(user_agent, Catch::StartsWith("agent-host/"));
  CHECK(request_id == "none");  // the request serves no call
  // The URL in logs keeps neither the query nor credentials.
  CHECK(outcome.url_for_log == upstream.url("/v1/echo?..."));
}

TEST_CASE("a request tied to a call carries its request id unless it sets its own",
          "[http_client]") {
  TestUpstream upstream;
  std::vector<std::string> seen;
  upstream.route("/id", [&](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    seen.push_back(in.get("X-Request-Id", "none"));
    out.setContentLength(0);
    out.send();
  });
  HttpClient client(test_options());
  CallRegistry calls;
  const auto scope = calls.enter(41, 0, "req-abc");
  Request request = get(upstream.url("/id"));
  request.call_id = 41;
  Collected first, second;
  const auto outcome = client.perform(request, first, &calls);
  CHECK(outcome.ok());
  CHECK(outcome.request_id == "req-abc");
  request.headers = {{"x-request-id", "mine"}};
  CHECK(client.perform(request, second, &calls).ok());
  CHECK(seen == std::vector<std::string>{"req-abc", "mine"});
}

TEST_CASE("a chunked body is delivered in pieces as they arrive, before the response ends",
          "[http_client]") {
  TestUpstream upstream;
  std::promise<void> first_seen;
  bool released_by_client = false;
  upstream.route("/stream", [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.setChunkedTransferEncoding(true);
    auto& body = out.send();
    body << "data: first\n\n";
    body.flush();
    // Only continues early if the client saw the first piece while the response was still open.
    released_by_client = first_seen.get_future().wait_for(5s) == std::future_status::ready;
    body << "data: second\n\n";
  });
  HttpClient client(test_options());
  Collected response;
  bool signalled = false;
  response.on_piece = [&](std::string_view piece) {
    if (!signalled && piece.find("first") != std::string_view::npos) {
      signalled = true;
      first_seen.set_value();
    }
    return true;
  };
  const auto outcome = client.perform(get(upstream.url("/stream")), response);
  REQUIRE(outcome.ok());
  CHECK(released_by_client);
  CHECK(response.pieces.size() >= 2);
  CHECK(response.body() == "data: first\n\ndata: second\n\n");  // de-chunked, content untouched
}

TEST_CASE("the HTTP client leaves the process's SIGPIPE disposition to the program's main",
          "[http_client]") {
  struct sigaction ignored {};
  REQUIRE(::sigaction(SIGPIPE, nullptr, &ignored) == 0);  // the test main ignores it
  std::signal(SIGPIPE, SIG_DFL);
  { const HttpClient client{ClientOptions{}}; }
  struct sigaction after {};
  ::sigaction(SIGPIPE, nullptr, &after);
  ::sigaction(SIGPIPE, &ignored, nullptr);
  CHECK(after.sa_handler == SIG_DFL);
}

TEST_CASE("a refused connection fails with UNAVAILABLE", "[http_client]") {
  unsigned port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  HttpClient client(test_options());
  Collected response;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  const auto outcome = client.perform(get(url), response);
  CHECK(outcome.code == AGENT_ERR_UNAVAILABLE);
  CHECK_THAT(outcome.message,
             Catch::Contains("GET " + url) &&
                 Catch::Contains("cannot connect to 127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("a first byte slower than the first-byte timeout fails with TIMEOUT in time",
          "[http_client]") {
  TestUpstream upstream;
  upstream.route("/slow", [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    upstream.gate.wait();
    out.setContentLength(0);
    out.send();
  });
  HttpClient client(test_options());
  Request request = get(upstream.url("/slow"));
  request.first_byte_timeout = 300ms;
  Collected response;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = client.perform(request, response);
  const auto took = elapsed_ms(started);
  CHECK(outcome.code == AGENT_ERR_TIMEOUT);
  CHECK_THAT(outcome.message, Catch::Contains("first-byte timeout of 300 ms"));
  CHECK(took >= 290);
  CHECK(took < 1500);
}

TEST_CASE("a body that stalls longer than the idle timeout fails with TIMEOUT", "[http_client]") {
  TestUpstream upstream;
  upstream.route("/stall", stall_after(upstream, "partial"));
  ClientOptions options = test_options();
  options.idle_timeout = 300ms;  // the client's default this time
  HttpClient client(options);
  Collected response;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = client.perform(get(upstream.url("/stall")), response);
  CHECK(outcome.code == AGENT_ERR_TIMEOUT);
  CHECK_THAT(outcome.message, Catch::Contains("idle timeout of 300 ms"));
  CHECK(response.body() == "partial");
  CHECK(elapsed_ms(started) < 1500);
}

TEST_CASE("a response that keeps trickling past the total timeout fails with TIMEOUT",
          "[http_client]") {
  TestUpstream upstream;
  upstream.route("/drip", [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.setChunkedTransferEncoding(true);
    auto& body = out.send();
    for (int i = 0; i < 100 && !upstream.gate.wait(50ms); ++i) {
      body << "x";
      body.flush();
    }
  });
  HttpClient client(test_options());
  Request request = get(upstream.url("/drip"));
  request.total_timeout = 500ms;
  request.idle_timeout = 2000ms;
  Collected response;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = client.perform(request, response);
  const auto took = elapsed_ms(started);
  CHECK(outcome.code == AGENT_ERR_TIMEOUT);
  CHECK_THAT(outcome.message, Catch::Contains("total timeout of 500 ms"));
  CHECK(response.pieces.size() >= 3);  // it was streaming, not idle
  CHECK(took >= 490);
  CHECK(took < 1500);
}

TEST_CASE("the deadline of the call a request serves caps its timeouts", "[http_client]") {
  TestUpstream upstream;
  upstream.route("/stall", stall_after(upstream, "partial"));
  HttpClient client(test_options());
  CallRegistry calls;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto scope = calls.enter(5, now_ms + 400, "req-deadline");
  Request request = get(upstream.url("/stall"));
  request.call_id = 5;
  request.total_timeout = 60s;
  Collected response;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = client.perform(request, response, &calls);
  CHECK(outcome.code == AGENT_ERR_TIMEOUT);
  CHECK_THAT(outcome.message, Catch::Contains("deadline of the call"));
  CHECK(elapsed_ms(started) < 1500);

  const auto late = calls.enter(6, now_ms - 1, "req-late");
  request.call_id = 6;
  CHECK(client.perform(request, response, &calls).code == AGENT_ERR_TIMEOUT);
}

TEST_CASE("cancelling the call from another thread aborts a stalled read at once",
          "[http_client]") {
  TestUpstream upstream;
  upstream.route("/stall", stall_after(upstream, "partial"));
  HttpClient client(test_options());
  CallRegistry calls;
  const auto scope = calls.enter(9, 0, "req-cancel");
  std::promise<void> streaming;
  Collected response;
  response.on_piece = [&](std::string_view) {
    streaming.set_value();
    return true;
  };
  Request request = get(upstream.url("/stall"));
  request.call_id = 9;
  auto result =
      std::async(std::launch::async, [&] { return client.perform(request, response, &calls); });
  REQUIRE(streaming.get_future().wait_for(5s) == std::future_status::ready);
  std::this_thread::sleep_for(50ms);  // let the client block in its next read
  const auto cancelled_at = std::chrono::steady_clock::now();
  calls.cancel(9);
  REQUIRE(result.wait_for(1s) == std::future_status::ready);
  const Outcome outcome = result.get();
  CHECK(elapsed_ms(cancelled_at) < 1000);
  CHECK(outcome.code == AGENT_ERR_CANCELLED);
  CHECK_THAT(outcome.message, Catch::Contains("cancelled"));
  CHECK(client.idle_connections() == 0);  // an aborted connection is never reused
}

TEST_CASE("cancelling the call aborts a stalled HTTPS read as quickly", "[http_client][tls]") {
  TestUpstream upstream(/*tls=*/true);
  upstream.route("/stall", stall_after(upstream, "partial"));
  ClientOptions options = test_options();
  options.ca_file = fixture_tls("localhost.crt");
  HttpClient client(options);
  CallRegistry calls;
  const auto scope = calls.enter(10, 0, "");
  std::promise<void> streaming;
  Collected response;
  response.on_piece = [&](std::string_view) {
    streaming.set_value();
    return true;
  };
  Request request = get(upstream.url("/stall"));
  request.call_id = 10;
  auto result =
      std::async(std::launch::async, [&] { return client.perform(request, response, &calls); });
  REQUIRE(streaming.get_future().wait_for(5s) == std::future_status::ready);
  std::this_thread::sleep_for(50ms);
  const auto cancelled_at = std::chrono::steady_clock::now();
  calls.cancel(10);
  REQUIRE(result.wait_for(1s) == std::future_status::ready);
  CHECK(result.get().code == AGENT_ERR_CANCELLED);
  CHECK(elapsed_ms(cancelled_at) < 1000);
}

TEST_CASE("a request for a call already cancelled fails at once without connecting",
          "[http_client]") {
  TestUpstream upstream;
  HttpClient client(test_options());
  CallRegistry calls;
  const auto scope = calls.enter(11, 0, "");
  calls.cancel(11);
  Request request = get(upstream.url("/anything"));
  request.call_id = 11;
  Collected response;
  CHECK(client.perform(request, response, &calls).code == AGENT_ERR_CANCELLED);
  CHECK(upstream.connections() == 0);
}

TEST_CASE("a response handler that returns false cancels the request", "[http_client]") {
  TestUpstream upstream;
  upstream.route("/stall", stall_after(upstream, "partial"));
  HttpClient client(test_options());
  Collected at_head;
  at_head.stop_at_head = true;
  auto outcome = client.perform(get(upstream.url("/stall")), at_head);
  CHECK(outcome.code == AGENT_ERR_CANCELLED);
  CHECK(outcome.status == 200);
  Collected at_body;
  at_body.on_piece = [](std::string_view) { return false; };
  outcome = client.perform(get(upstream.url("/stall")), at_body);
  CHECK(outcome.code == AGENT_ERR_CANCELLED);
  CHECK(at_body.body() == "partial");
}

TEST_CASE("HTTPS to a self-signed upstream fails without its CA and succeeds with ca_file",
          "[http_client][tls]") {
  TestUpstream upstream(/*tls=*/true);
  upstream.route("/secure", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.send() << "over tls";
  });
  {
    HttpClient client(test_options());
    Collected response;
    const auto outcome = client.perform(get(upstream.url("/secure")), response);
    CHECK(outcome.code == AGENT_ERR_UNAVAILABLE);
    CHECK_THAT(outcome.message, Catch::Contains("TLS handshake") && Catch::Contains("certificate"));
  }
  ClientOptions options = test_options();
  options.ca_file = fixture_tls("localhost.crt");
  HttpClient client(options);
  for (const std::string& url :
       {upstream.url("/secure"),
        "https://127.0.0.1:" + std::to_string(upstream.port()) + "/secure"}) {
    Collected response;
    const auto outcome = client.perform(get(url), response);
    CHECK(outcome.ok());
    CHECK(response.body() == "over tls");
  }
}

TEST_CASE("a trusted certificate for another host name is refused", "[http_client][tls]") {
  // Linux answers on all of 127/8; the certificate names only localhost and 127.0.0.1.
  TestUpstream upstream(/*tls=*/true, 10s, "127.0.0.2");
  ClientOptions options = test_options();
  options.ca_file = fixture_tls("localhost.crt");
  HttpClient client(options);
  Collected response;
  const auto outcome = client.perform(get(upstream.url("/")), response);
  CHECK(outcome.code == AGENT_ERR_UNAVAILABLE);
  CHECK_THAT(outcome.message, Catch::Contains("certificate"));
}

TEST_CASE("invalid URLs, methods and headers fail with INVALID_INPUT before connecting",
          "[http_client]") {
  TestUpstream upstream;
  HttpClient client(test_options());
  Collected response;
  for (const char* url : {"", "not a url", "ftp://example.com/", "/relative", "http:///nohost",
                          "http://h:99999/", "http://exa mple.com/"}) {
    const auto outcome = client.perform(get(url), response);
    CHECK(outcome.code == AGENT_ERR_INVALID_INPUT);
    CHECK_THAT(outcome.message, Catch::StartsWith("invalid URL"));
  }
  Request request = get(upstream.url("/x"));
  request.method = "BREW";
  CHECK(client.perform(request, response).code == AGENT_ERR_INVALID_INPUT);
  request = get(upstream.url("/x"));
  request.headers = {{"X-Injected", "a\r\nX-Evil: 1"}};
  CHECK(client.perform(request, response).code == AGENT_ERR_INVALID_INPUT);
  request.headers = {{"Bad Name", "v"}};
  CHECK(client.perform(request, response).code == AGENT_ERR_INVALID_INPUT);
  CHECK(upstream.connections() == 0);
}

TEST_CASE("failure messages never contain header values or credentials", "[http_client]") {
  TestUpstream upstream;
  upstream.route("/slow", [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    upstream.gate.wait();
    out.send();
  });
  HttpClient client(test_options());
  const Headers secret_headers = {{"Authorization", std::string("Bearer ") + kSecret},
                                  {"x-api-key", kSecret}};
  std::vector<Outcome> outcomes;
  Collected response;

  Request timeout = get(upstream.url("/slow"));
  timeout.headers = secret_headers;
  timeout.first_byte_timeout = 100ms;
  outcomes.push_back(client.perform(timeout, response));

  Request refused = get("http://127.0.0.1:1/");
  refused.headers = secret_headers;
  outcomes.push_back(client.perform(refused, response));

  Request injected = get(upstream.url("/x"));
  injected.headers = {{"Authorization", std::string("Bearer ") + kSecret + "\r\nX-Evil: 1"}};
  outcomes.push_back(client.perform(injected, response));

  outcomes.push_back(
      client.perform(get(std::string("http://user:") + kSecret + "@127.0.0.1:1/"), response));

  for (const auto& outcome : outcomes) {
    CHECK_FALSE(outcome.ok());
    CHECK_THAT(outcome.message, !Catch::Contains("SECRET"));
    CHECK_THAT(outcome.url_for_log, !Catch::Contains("SECRET"));
  }
}

TEST_CASE("sequential requests to one origin reuse one kept-alive connection", "[http_client]") {
  TestUpstream upstream;
  upstream.route("/n", [](Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    std::string body;
    Poco::StreamCopier::copyToString(in.stream(), body);
    const std::string reply = "got " + std::to_string(body.size());
    out.setContentLength(static_cast<std::streamsize>(reply.size()));
    out.send() << reply;
  });
  HttpClient client(test_options());
  for (int i = 0; i < 3; ++i) {
    Request request;
    request.method = "POST";
    request.url = upstream.url("/n");
    const std::string body(static_cast<std::size_t>(100 * (i + 1)), 'b');
    request.body = body;
    Collected response;
    const auto outcome = client.perform(request, response);
    REQUIRE(outcome.ok());
    CHECK(response.body() == "got " + std::to_string(body.size()));
    CHECK(outcome.reused_connection == (i > 0));
  }
  CHECK(upstream.connections() == 1);
  CHECK(client.idle_connections() == 1);
}

TEST_CASE("a handler that stops a response about to end keeps its connection for the next request",
          "[http_client]") {
  TestUpstream upstream;
  upstream.route("/sse", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.setChunkedTransferEncoding(true);
    auto& body = out.send();
    body << "data: answer\n\n";
    body.flush();
    std::this_thread::sleep_for(5ms);  // the end comes a moment later, in its own packet
    body << "data: trailer\n\n";
  });
  HttpClient client(test_options());
  for (int i = 0; i < 3; ++i) {
    Collected response;
    response.on_piece = [](std::string_view) { return false; };  // got what it needed
    const auto outcome = client.perform(get(upstream.url("/sse")), response);
    CHECK(outcome.code == AGENT_ERR_CANCELLED);
    CHECK_THAT(outcome.message, Catch::Contains("stopped by the response handler"));
    CHECK(response.body() == "data: answer\n\n");  // nothing is delivered after the stop
    CHECK(outcome.reused_connection == (i > 0));
  }
  CHECK(upstream.connections() == 1);
  CHECK(client.idle_connections() == 1);
}

TEST_CASE("a handler that stops a response that does not end soon drops the connection at once",
          "[http_client]") {
  TestUpstream upstream;
  upstream.route("/stall", stall_after(upstream, "partial"));
  HttpClient client(test_options());
  Collected response;
  response.on_piece = [](std::string_view) { return false; };
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = client.perform(get(upstream.url("/stall")), response);
  CHECK(outcome.code == AGENT_ERR_CANCELLED);
  CHECK(elapsed_ms(started) < 1000);  // a short grace, never the idle timeout
  CHECK(client.idle_connections() == 0);
}

TEST_CASE("a kept-alive connection the server has closed is not reused", "[http_client]") {
  TestUpstream upstream(false, /*keep_alive_timeout=*/100ms);
  upstream.route("/n", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.setContentLength(2);
    out.send() << "ok";
  });
  HttpClient client(test_options());
  Collected first, second;
  REQUIRE(client.perform(get(upstream.url("/n")), first).ok());
  REQUIRE(client.idle_connections() == 1);
  std::this_thread::sleep_for(400ms);  // the server closes the idle connection meanwhile
  const auto outcome = client.perform(get(upstream.url("/n")), second);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome.reused_connection);
  CHECK(second.body() == "ok");
  CHECK(upstream.connections() == 2);
}

TEST_CASE("a GET on a reused connection that dies unanswered is retried on a new one",
          "[http_client]") {
  // Connection 0 answers once, then takes the next request and closes without answering;
  // later connections answer every request.
  RawServer server([](Poco::Net::StreamSocket& socket, int index) {
    while (!read_request(socket).empty()) {
      send_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      if (index == 0) {
        read_request(socket);
        return;
      }
    }
  });
  HttpClient client(test_options());
  Collected first, second;
  REQUIRE(client.perform(get(server.url("/")), first).ok());
  const auto outcome = client.perform(get(server.url("/")), second);
  CHECK(outcome.ok());
  CHECK(second.body() == "ok");
  CHECK(server.accepted() == 2);
}

TEST_CASE("a POST on a reused connection that dies unanswered is not repeated", "[http_client]") {
  RawServer server([](Poco::Net::StreamSocket& socket, int) {
    if (read_request(socket).empty()) return;
    send_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    read_request(socket);  // takes the second request and closes unanswered
  });
  HttpClient client(test_options());
  Request request = get(server.url("/"));
  request.method = "POST";
  request.body = "{}";
  Collected first, second;
  REQUIRE(client.perform(request, first).ok());
  const auto outcome = client.perform(request, second);
  CHECK(outcome.code == AGENT_ERR_UNAVAILABLE);
  CHECK_THAT(outcome.message, Catch::Contains("closed the connection without answering"));
  CHECK(server.accepted() == 1);
}

TEST_CASE("malformed or oversized responses fail with UPSTREAM", "[http_client]") {
  RawServer server([](Poco::Net::StreamSocket& socket, int) {
    const std::string request = read_request(socket);
    if (request.find("/garbage") != std::string::npos) {
      send_text(socket, "SSH-2.0-OpenSSH\r\n\r\n");
    } else if (request.find("/many") != std::string::npos) {
      std::string head = "HTTP/1.1 200 OK\r\n";
      for (int i = 0; i < 150; ++i) head += "X-H" + std::to_string(i) + ": v\r\n";
      send_text(socket, head + "Content-Length: 0\r\n\r\n");
    } else if (request.find("/badchunk") != std::string::npos) {
      send_text(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    } else if (request.find("/short") != std::string::npos) {
      send_text(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    }
  });
  HttpClient client(test_options());
  Collected response;
  auto outcome = client.perform(get(server.url("/garbage")), response);
  CHECK(outcome.code == AGENT_ERR_UPSTREAM);
  CHECK_THAT(outcome.message, Catch::Contains("status line"));
  outcome = client.perform(get(server.url("/many")), response);
  CHECK(outcome.code == AGENT_ERR_UPSTREAM);
  CHECK_THAT(outcome.message, Catch::Contains("more than 100 response header fields"));
  outcome = client.perform(get(server.url("/badchunk")), response);
  CHECK(outcome.code == AGENT_ERR_UPSTREAM);
  outcome = client.perform(get(server.url("/short")), response);
  CHECK(outcome.code == AGENT_ERR_UNAVAILABLE);
  CHECK_THAT(outcome.message, Catch::Contains("after 3 of 10 body bytes"));
}

TEST_CASE("plain HTTP goes through HTTP_PROXY in absolute form, unless NO_PROXY names the host",
          "[http_client][proxy]") {
  TestUpstream upstream;
  upstream.route("/via", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.send() << "proxied";
  });
  TestProxy proxy;
  ClientOptions options = test_options();
  options.proxies = ProxySettings{"http://user:p%40ss@127.0.0.1:" + std::to_string(proxy.port()),
                                  "", "example.com"};
  {
    HttpClient client(options);
    Collected response;
    const auto outcome = client.perform(get(upstream.url("/via?q=1")), response);
    REQUIRE(outcome.ok());
    CHECK(response.body() == "proxied");
    REQUIRE(proxy.request_lines().size() == 1);
    CHECK(proxy.request_lines()[0] == "GET " + upstream.url("/via?q=1") + " HTTP/1.1");
    CHECK(proxy.authorization() == "Basic dXNlcjpwQHNz");  // user:p@ss
  }
  options.proxies->no_proxy = "localhost, .example.com, 127.0.0.1:9";
  HttpClient direct(options);
  Collected response;
  CHECK(direct.perform(get(upstream.url("/via")), response).ok());
  CHECK(proxy.request_lines().size() == 1);  // not through the proxy
}

TEST_CASE("HTTPS goes through HTTPS_PROXY with a CONNECT tunnel", "[http_client][proxy][tls]") {
  TestUpstream upstream(/*tls=*/true);
  upstream.route("/tunnel", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& out) {
    out.send() << "tunnelled";
  });
  TestProxy proxy;
  ClientOptions options = test_options();
  options.ca_file = fixture_tls("localhost.crt");
  options.proxies = ProxySettings{"", proxy.url(), ""};
  HttpClient client(options);
  Collected response;
  const auto outcome = client.perform(get(upstream.url("/tunnel")), response);
  REQUIRE(outcome.ok());
  CHECK(response.body() == "tunnelled");
  REQUIRE(proxy.request_lines().size() == 1);
  CHECK(proxy.request_lines()[0] ==
        "CONNECT localhost:" + std::to_string(upstream.port()) + " HTTP/1.1");
}

TEST_CASE("an unusable proxy setting fails the requests it applies to with UNAVAILABLE",
          "[http_client][proxy]") {
  ClientOptions options = test_options();
  options.proxies = ProxySettings{"socks5://user:pw@127.0.0.1:1080", "", ""};
  HttpClient client(options);
  Collected response;
  const auto outcome = client.perform(get("http://127.0.0.1:1/"), response);
  CHECK(outcome.code == AGENT_ERR_UNAVAILABLE);
  CHECK_THAT(outcome.message, Catch::Contains("http_proxy") && !Catch::Contains("pw"));
}
