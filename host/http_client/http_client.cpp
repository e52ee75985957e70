#include "http_client/http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetSSL.h>
#include <agent_sdk/agent_plugin.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <memory>
#include <vector>

#include "http_client/connection.h"
#include "http_client/connection_pool.h"
#include "http_client/proxy_rules.h"
#include "http_client/response_parser.h"
#include "http_client/url.h"

namespace agent_host::http_client {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kMaxRequestHeaders = 100;
constexpr std::size_t kMaxRequestHeadBytes = 64 * 1024;
constexpr std::size_t kReadBuffer = 16 * 1024;
// How much of a response the handler stopped is still read to keep its connection, and how long.
constexpr std::size_t kDrainBytes = 64 * 1024;
constexpr std::chrono::milliseconds kDrainGrace{50};
constexpr std::string_view kUserAgent = "agent-host/" AGENT_HOST_VERSION;

// What the client needs from the process: OpenSSL (through Poco). It also needs SIGPIPE ignored
// (OpenSSL writes with plain send(), so a write to a closed connection raises it), but signal
// dispositions belong to the program's main (app/cli.cpp for the host), not to a library.
class ProcessSetup {
 public:
  ProcessSetup() { Poco::Net::initializeSSL(); }
  ~ProcessSetup() { Poco::Net::uninitializeSSL(); }
  ProcessSetup(const ProcessSetup&) = delete;
  ProcessSetup& operator=(const ProcessSetup&) = delete;
};

Poco::Net::Context::Ptr make_tls_context(const ClientOptions& options) {
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file)) {
    throw std::runtime_error("http client: cannot read the CA file " + options.ca_file);
  }
  Poco::Net::Context::Params params;
  // STRICT also checks the host name of loopback servers, which RELAXED skips.
  params.verificationMode =
      options.verify_peer ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
  params.loadDefaultCAs = true;
  params.caLocation = options.ca_file;
  try {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return context;
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("http client: cannot set up TLS: " + e.displayText());
  }
}

// Where a failure happened, which decides whether a reused connection may be retried.
enum class Stage { other, sending, awaiting_answer };

class RequestFailed : public std::exception {
 public:
  RequestFailed(std::int32_t code, std::string message, Stage stage)
      : code_(code), message_(std::move(message)), stage_(stage) {}
  const char* what() const noexcept override { return message_.c_str(); }
  std::int32_t code() const noexcept { return code_; }
  Stage stage() const noexcept { return stage_; }

 private:
  std::int32_t code_;
  std::string message_;
  Stage stage_;
};

enum class Phase { connect, send, first_byte, idle };

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
  });
}

// Fields the client writes itself; a request's own copies are dropped.
bool is_managed_header(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kManaged = {
      "host", "content-length", "transfer-encoding", "connection",       "keep-alive",
      "te",   "trailer",        "upgrade",           "proxy-connection", "proxy-authorization"};
  return std::any_of(kManaged.begin(), kManaged.end(),
                     [&](std::string_view managed) { return equals_ignore_case(name, managed); });
}

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
}

std::string in_ms(milliseconds value) { return std::to_string(value.count()) + " ms"; }

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A connection and its link to the call; the link is declared last so it is reset (and the fd
// unlinked) before the connection closes the fd.
struct Tracked {
  std::unique_ptr<Connection> connection;
  CallRegistry::SocketLink link;
};

}  // namespace

struct HttpClient::State {
  explicit State(ClientOptions client_options)
      : options(std::move(client_options)),
        proxies(options.proxies ? *options.proxies : ProxySettings::from_environment()),
        tls(make_tls_context(options)),
        pool(options.max_idle_per_origin, options.idle_connection_expiry) {}

  ProcessSetup setup;  // first in, last out: TLS objects need it
  ClientOptions options;
  ProxyRules proxies;
  Poco::Net::Context::Ptr tls;
  ConnectionPool pool;
};

// One perform(): validation, then at most two attempts (the second only after a reused
// connection failed before the server could have acted on the request).
class HttpClient::Exchange {
 public:
  Exchange(State& state, const Request& request, ResponseHandler& handler, CallRegistry* calls,
           Outcome& outcome)
      : state_(state), request_(request), handler_(handler), calls_(calls), outcome_(outcome) {}

  void run() {
    start_ = Clock::now();
    validate();
    outcome_.url_for_log = url_.for_log();
    prefix_ = request_.method + " " + outcome_.url_for_log + ": ";
    if (calls_ != nullptr) tie_ = calls_->tie(request_.call_id);
    outcome_.request_id = tie_.request_id();

    const ClientOptions& options = state_.options;
    const auto pick = [](milliseconds own, milliseconds fallback) {
      return own.count() > 0 ? own : fallback;
    };
    connect_timeout_ = pick(request_.connect_timeout, options.connect_timeout);
    first_byte_timeout_ = pick(request_.first_byte_timeout, options.first_byte_timeout);
    idle_timeout_ = pick(request_.idle_timeout, options.idle_timeout);
    total_timeout_ = pick(request_.total_timeout, options.total_timeout);
    hard_deadline_ = start_ + total_timeout_;
    if (tie_.deadline_unix_ms() > 0) {
      const auto call_deadline = start_ + milliseconds(tie_.deadline_unix_ms() - now_unix_ms());
      if (call_deadline < hard_deadline_) {
        hard_deadline_ = call_deadline;
        hard_is_call_deadline_ = true;
      }
    }
    if (tie_.cancelled()) cancelled();
    if (Clock::now() >= hard_deadline_) timed_out(Phase::connect);

    const ProxyRules::Choice route = state_.proxies.choose(url_);
    if (!route.error.empty()) fail(AGENT_ERR_UNAVAILABLE, route.error);
    const ProxyEndpoint* proxy = route.proxy;
    const std::string origin = std::string(url_.scheme()) + "://" + url_.host_port() +
                               (proxy != nullptr ? " via " + proxy->host_port() : "");
    const std::string head = request_head(proxy);

    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> pooled = attempt == 0 ? state_.pool.acquire(origin) : nullptr;
      const bool reused = pooled != nullptr;
      Tracked tracked = reused ? adopt(std::move(pooled)) : open(proxy);
      outcome_.reused_connection = reused;
      try {
        if (transfer(tracked, head)) {
          tracked.link.reset();
          if (!tie_.cancelled()) state_.pool.release(origin, std::move(tracked.connection));
        }
        if (stopped_) stopped_by_handler();  // drained and kept, but the handler stopped it
        return;
      } catch (const RequestFailed& failure) {
        // A kept-alive connection the server had already given up on: try once on a new one,
        // but only where a repeat is harmless (the request could not even be sent whole, or an
        // idempotent method got no answer at all). A POST that may have arrived is never sent
        // twice.
        const bool stale =
            failure.code() == AGENT_ERR_UNAVAILABLE &&
            (failure.stage() == Stage::sending ||
             (failure.stage() == Stage::awaiting_answer && is_idempotent(request_.method)));
        if (!(reused && attempt == 0 && stale)) throw;
      }
    }
  }

 private:
  [[noreturn]] void fail(std::int32_t code, const std::string& why,
                         Stage stage = Stage::other) const {
    throw RequestFailed(code, prefix_ + why, stage);
  }

  [[noreturn]] void cancelled() const {
    fail(AGENT_ERR_CANCELLED, "the call it serves was cancelled");
  }

  // A failed read or write: the call's cancellation (which shuts the socket down) comes first.
  [[noreturn]] void io_failed(const std::string& why, Stage stage = Stage::other) const {
    if (tie_.cancelled()) cancelled();
    fail(AGENT_ERR_UNAVAILABLE, why, stage);
  }

  [[noreturn]] void timed_out(Phase phase) const {
    if (tie_.cancelled()) cancelled();
    if (Clock::now() >= hard_deadline_) {
      if (hard_is_call_deadline_)
        fail(AGENT_ERR_TIMEOUT, "the deadline of the call it serves passed");
      fail(AGENT_ERR_TIMEOUT, "took longer than the total timeout of " + in_ms(total_timeout_));
    }
    switch (phase) {
      case Phase::connect:
        fail(AGENT_ERR_TIMEOUT,
             "no connection within the connect timeout of " + in_ms(connect_timeout_));
      case Phase::first_byte:
        fail(AGENT_ERR_TIMEOUT,
             "no response within the first-byte timeout of " + in_ms(first_byte_timeout_));
      case Phase::idle:
        fail(AGENT_ERR_TIMEOUT,
             "the response stalled for longer than the idle timeout of " + in_ms(idle_timeout_));
      case Phase::send:
        break;
    }
    fail(AGENT_ERR_TIMEOUT, "sending the request timed out");
  }

  Clock::time_point within(milliseconds timeout) const {
    return std::min(Clock::now() + timeout, hard_deadline_);
  }

  void validate() {
    static constexpr std::array<std::string_view, 6> kMethods = {"GET",   "POST",   "PUT",
                                                                 "PATCH", "DELETE", "HEAD"};
    if (std::find(kMethods.begin(), kMethods.end(), request_.method) == kMethods.end()) {
      fail(AGENT_ERR_INVALID_INPUT,
           "unsupported HTTP method (use GET, POST, PUT, PATCH, DELETE or HEAD)");
    }
    std::string error;
    auto url = parse_url(request_.url, error);
    if (!url) fail(AGENT_ERR_INVALID_INPUT, "invalid URL: " + error);
    url_ = std::move(*url);
    if (request_.headers.size() > kMaxRequestHeaders) {
      fail(AGENT_ERR_INVALID_INPUT,
           "more than " + std::to_string(kMaxRequestHeaders) + " request headers");
    }
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < request_.headers.size(); ++i) {
      const Header& header = request_.headers[i];
      if (header.name.empty() || !std::all_of(header.name.begin(), header.name.end(), is_tchar)) {
        fail(AGENT_ERR_INVALID_INPUT,
             "request header #" + std::to_string(i + 1) + " has an invalid name");
      }
      if (!is_field_value(header.value)) {
        // The name is a valid token by now, so it is safe to show; the value never is.
        fail(AGENT_ERR_INVALID_INPUT, "request header \"" + header.name +
                                          "\" has CR, LF, NUL or other control characters in "
                                          "its value");
      }
      bytes += header.name.size() + header.value.size() + 4;
    }
    if (bytes > kMaxRequestHeadBytes) {
      fail(AGENT_ERR_INVALID_INPUT,
           "request headers larger than " + std::to_string(kMaxRequestHeadBytes) + " bytes");
    }
  }

  std::string request_head(const ProxyEndpoint* proxy) const {
    const bool absolute_form = proxy != nullptr && !url_.https;
    std::string head = request_.method + " " + (absolute_form ? url_.absolute() : url_.target) +
                       " HTTP/1.1\r\nHost: " + url_.authority() + "\r\n";
    bool has_user_agent = false;
    bool has_request_id = false;
    for (const auto& [name, value] : request_.headers) {
      if (is_managed_header(name)) continue;
      has_user_agent = has_user_agent || equals_ignore_case(name, "user-agent");
      has_request_id = has_request_id || equals_ignore_case(name, "x-request-id");
      head.append(name).append(": ").append(value).append("\r\n");
    }
    if (!has_user_agent) head.append("User-Agent: ").append(kUserAgent).append("\r\n");
    const std::string& request_id = tie_.request_id();
    if (!has_request_id && !request_id.empty() && is_field_value(request_id)) {
      head.append("X-Request-Id: ").append(request_id).append("\r\n");
    }
    const std::string_view method = request_.method;
    if (!request_.body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      head.append("Content-Length: ").append(std::to_string(request_.body.size())).append("\r\n");
    }
    if (absolute_form && !proxy->authorization.empty()) {
      head.append("Proxy-Authorization: ").append(proxy->authorization).append("\r\n");
    }
    head.append("\r\n");
    return head;
  }

  Tracked adopt(std::unique_ptr<Connection> connection) const {
    Tracked tracked;
    tracked.connection = std::move(connection);
    auto link = tie_.link(tracked.connection->fd());
    if (!link) cancelled();
    tracked.link = std::move(*link);
    return tracked;
  }

  std::vector<Poco::Net::IPAddress> resolve(const std::string& host) const {
    Poco::Net::IPAddress literal;
    if (Poco::Net::IPAddress::tryParse(host, literal)) return {literal};
    std::vector<Poco::Net::IPAddress> addresses;
    try {
      // No AI_ADDRCONFIG: it hides "localhost" on hosts with only a loopback interface.
      addresses = Poco::Net::DNS::hostByName(host, Poco::Net::DNS::DNS_HINT_NONE).addresses();
    } catch (const Poco::Exception& e) {
      fail(AGENT_ERR_UNAVAILABLE, "cannot resolve host " + host + ": " + e.displayText());
    }
    if (addresses.empty()) fail(AGENT_ERR_UNAVAILABLE, "no address found for host " + host);
    std::stable_partition(addresses.begin(), addresses.end(), [](const Poco::Net::IPAddress& a) {
      return a.family() == Poco::Net::IPAddress::IPv4;
    });
    return addresses;
  }

  // A new connection to the origin (directly or through `proxy`), TLS included.
  Tracked open(const ProxyEndpoint* proxy) {
    const std::string& host = proxy != nullptr ? proxy->host : url_.host;
    const std::uint16_t port = proxy != nullptr ? proxy->port : url_.port;
    const std::string peer = proxy != nullptr ? "proxy " + proxy->host_port() : url_.host_port();
    const auto addresses = resolve(host);
    if (tie_.cancelled()) cancelled();
    const Clock::time_point deadline = within(connect_timeout_);
    std::string last_error;
    for (const auto& address : addresses) {
      Tracked tracked;
      try {
        tracked.connection = std::make_unique<Connection>(address.family());
      } catch (const Poco::Exception& e) {
        fail(AGENT_ERR_UNAVAILABLE, "cannot create a socket: " + e.displayText());
      }
      auto link = tie_.link(tracked.connection->fd());
      if (!link) cancelled();
      tracked.link = std::move(*link);
      try {
        tracked.connection->connect(Poco::Net::SocketAddress(address, port), deadline);
      } catch (const DeadlineExceeded&) {
        timed_out(Phase::connect);
      } catch (const Poco::Exception& e) {
        if (tie_.cancelled()) cancelled();
        last_error = e.displayText();
        continue;  // the next address, if any
      }
      if (proxy != nullptr && url_.https) tunnel(tracked, *proxy, deadline);
      if (url_.https) {
        try {
          tracked.connection->start_tls(url_.host, state_.tls, deadline);
        } catch (const DeadlineExceeded&) {
          timed_out(Phase::connect);
        } catch (const Poco::Exception& e) {
          io_failed("TLS handshake with " + url_.host_port() + " failed: " + e.displayText());
        }
      }
      return tracked;
    }
    fail(AGENT_ERR_UNAVAILABLE, "cannot connect to " + peer + ": " + last_error);
  }

  // Asks an HTTP proxy for a tunnel to the origin (CONNECT), for TLS end to end.
  void tunnel(Tracked& tracked, const ProxyEndpoint& proxy, Clock::time_point deadline) {
    const std::string target = url_.host_port();
    std::string head = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                       "\r\nUser-Agent: " + std::string(kUserAgent) + "\r\n";
    if (!proxy.authorization.empty()) {
      head.append("Proxy-Authorization: ").append(proxy.authorization).append("\r\n");
    }
    head.append("\r\n");
    const std::string peer = "proxy " + proxy.host_port();
    try {
      tracked.connection->write_all(head, deadline);
    } catch (const DeadlineExceeded&) {
      timed_out(Phase::connect);
    } catch (const Poco::Exception& e) {
      io_failed("sending CONNECT to " + peer + " failed: " + e.displayText());
    }
    std::string pending;
    std::size_t end = std::string::npos;
    while ((end = find_head_end(pending)) == std::string::npos) {
      if (pending.size() > state_.options.max_response_head_bytes) {
        fail(AGENT_ERR_UNAVAILABLE, "the " + peer + " answered CONNECT with an oversized head");
      }
      const std::size_t n = read(tracked, deadline, Phase::connect, Stage::other);
      if (n == 0) io_failed("the " + peer + " closed the connection during CONNECT");
      pending.append(buffer_.get(), n);
    }
    ResponseHead answer;
    try {
      answer = parse_response_head(std::string_view(pending).substr(0, end),
                                   state_.options.max_response_headers);
    } catch (const ProtocolError& e) {
      fail(AGENT_ERR_UNAVAILABLE, "the " + peer + " answered CONNECT with " + e.what());
    }
    if (answer.status / 100 != 2) {
      fail(AGENT_ERR_UNAVAILABLE, "the " + peer + " refused to tunnel to " + target + " (status " +
                                      std::to_string(answer.status) + ")");
    }
    if (end != pending.size()) {
      fail(AGENT_ERR_UNAVAILABLE, "the " + peer + " sent data before the tunnel was open");
    }
  }

  std::size_t read(Tracked& tracked, Clock::time_point deadline, Phase phase, Stage stage) {
    try {
      return tracked.connection->read_some(buffer_.get(), kReadBuffer, deadline);
    } catch (const DeadlineExceeded&) {
      timed_out(phase);
    } catch (const Poco::Exception& e) {
      io_failed("reading the response failed: " + e.displayText(), stage);
    }
  }

  // Sends the request and streams the response to the handler. Returns true when the
  // connection may carry another request.
  bool transfer(Tracked& tracked, const std::string& head) {
    try {
      if (request_.body.size() <= 64 * 1024) {  // one write: no Nagle pause between the two
        tracked.connection->write_all(head + std::string(request_.body), hard_deadline_);
      } else {
        tracked.connection->write_all(head, hard_deadline_);
        tracked.connection->write_all(request_.body, hard_deadline_);
      }
    } catch (const DeadlineExceeded&) {
      timed_out(Phase::send);
    } catch (const Poco::Exception& e) {
      io_failed("sending the request failed: " + e.displayText(), Stage::sending);
    }

    // The head; informational (1xx) answers are skipped.
    const Clock::time_point first_byte_deadline = within(first_byte_timeout_);
    const std::size_t max_head = state_.options.max_response_head_bytes;
    std::string pending;
    std::uint64_t received = 0;
    ResponseHead head_in;
    while (true) {
      std::size_t end = std::string::npos;
      while ((end = find_head_end(pending)) == std::string::npos) {
        if (pending.size() > max_head) {
          fail(AGENT_ERR_UPSTREAM,
               "the response head is larger than " + std::to_string(max_head) + " bytes");
        }
        const std::size_t n = read(tracked, first_byte_deadline, Phase::first_byte,
                                   received == 0 ? Stage::awaiting_answer : Stage::other);
        if (n == 0) {
          if (received == 0) {
            io_failed("the server closed the connection without answering", Stage::awaiting_answer);
          }
          io_failed("the server closed the connection in the middle of the response head");
        }
        pending.append(buffer_.get(), n);
        received += n;
      }
      if (end > max_head) {
        fail(AGENT_ERR_UPSTREAM,
             "the response head is larger than " + std::to_string(max_head) + " bytes");
      }
      try {
        head_in = parse_response_head(std::string_view(pending).substr(0, end),
                                      state_.options.max_response_headers);
      } catch (const ProtocolError& e) {
        fail(AGENT_ERR_UPSTREAM, std::string("invalid response: ") + e.what());
      }
      pending.erase(0, end);
      if (head_in.status == 101) {
        fail(AGENT_ERR_UPSTREAM, "the server switched protocols (101), which is not supported");
      }
      if (head_in.status >= 200) break;
    }
    outcome_.status = head_in.status;
    if (!handler_.on_head(head_in.status, head_in.headers)) stop_requested();

    BodyFraming framing;
    try {
      framing = body_framing(head_in, request_.method);
    } catch (const ProtocolError& e) {
      fail(AGENT_ERR_UPSTREAM, std::string("invalid response: ") + e.what());
    }
    bool clean = true;  // nothing arrived beyond the end of the response
    if (stopped_ && framing.kind == BodyFraming::Kind::until_close) stopped_by_handler();
    const auto deliver = [this](std::string_view piece) {
      if (piece.empty()) return;
      if (stopped_) {
        drained_ += piece.size();
        if (drained_ > kDrainBytes) stopped_by_handler();
        return;
      }
      outcome_.body_bytes += piece.size();
      if (!handler_.on_body(piece)) stop_requested();
    };
    const auto next = [&]() {
      if (!stopped_) return read(tracked, within(idle_timeout_), Phase::idle, Stage::other);
      std::size_t n = 0;
      try {
        n = tracked.connection->read_some(buffer_.get(), kReadBuffer, drain_deadline_);
      } catch (const std::exception&) {
      }
      // The rest did not come soon enough, or the peer closed: the connection is dropped.
      if (n == 0) stopped_by_handler();
      return n;
    };

    switch (framing.kind) {
      case BodyFraming::Kind::none:
        clean = pending.empty();
        break;
      case BodyFraming::Kind::length: {
        std::uint64_t left = framing.length;
        const auto take = [&](std::string_view data) {
          const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, data.size()));
          deliver(data.substr(0, n));
          left -= n;
          clean = clean && n == data.size();
        };
        take(pending);
        while (left > 0) {
          const std::size_t n = next();
          if (n == 0) {
            io_failed("the server closed the connection after " +
                      std::to_string(framing.length - left) + " of " +
                      std::to_string(framing.length) + " body bytes");
          }
          take(std::string_view(buffer_.get(), n));
        }
        break;
      }
      case BodyFraming::Kind::chunked: {
        ChunkedDecoder decoder;
        const auto feed = [&](std::string_view data) {
          std::size_t used = 0;
          try {
            used = decoder.feed(data, deliver);
          } catch (const ProtocolError& e) {
            fail(AGENT_ERR_UPSTREAM, std::string("invalid chunked body: ") + e.what());
          }
          clean = clean && used == data.size();
        };
        feed(pending);
        while (!decoder.done()) {
          const std::size_t n = next();
          if (n == 0) io_failed("the server closed the connection in the middle of the body");
          feed(std::string_view(buffer_.get(), n));
        }
        break;
      }
      case BodyFraming::Kind::until_close:
        // Such a connection is never reused, so a stop needs no drain.
        deliver(pending);
        for (std::size_t n; !stopped_ && (n = next()) > 0;) {
          deliver(std::string_view(buffer_.get(), n));
        }
        if (stopped_) stopped_by_handler();
        break;
    }
    return framing.keep_alive && framing.kind != BodyFraming::Kind::until_close && clean;
  }

  // The handler has what it needs. The rest of the response is still read (not delivered) if it
  // ends within a short grace, so the connection goes back to the pool: a consumer that stops a
  // stream once its answer arrived (an MCP client reading its response off an SSE stream the
  // server is about to end) would otherwise cost a new connection per request.
  void stop_requested() {
    stopped_ = true;
    drain_deadline_ = within(kDrainGrace);
  }

  [[noreturn]] void stopped_by_handler() const {
    fail(AGENT_ERR_CANCELLED, "stopped by the response handler");
  }

  State& state_;
  const Request& request_;
  ResponseHandler& handler_;
  CallRegistry* calls_;
  Outcome& outcome_;

  std::string prefix_;  // "METHOD url: " once the request is valid
  Url url_;
  CallRegistry::Tie tie_;
  milliseconds connect_timeout_{0};
  milliseconds first_byte_timeout_{0};
  milliseconds idle_timeout_{0};
  milliseconds total_timeout_{0};
  Clock::time_point start_;
  Clock::time_point hard_deadline_;  // the total timeout or the call's deadline, if sooner
  bool hard_is_call_deadline_ = false;
  bool stopped_ = false;  // the handler asked to stop; the rest is drained for reuse
  Clock::time_point drain_deadline_;
  std::size_t drained_ = 0;
  // Not zero-filled: every exchange reads into it before looking at it.
  std::unique_ptr<char[]> buffer_ = std::make_unique_for_overwrite<char[]>(kReadBuffer);
};

HttpClient::HttpClient(ClientOptions options)
    : state_(std::make_unique<State>(std::move(options))) {
  for (const auto& warning : state_->proxies.warnings()) spdlog::warn("http client: {}", warning);
}

HttpClient::~HttpClient() = default;

Outcome HttpClient::perform(const Request& request, ResponseHandler& handler,
                            CallRegistry* calls) noexcept {
  Outcome outcome;
  try {
    Exchange(*state_, request, handler, calls, outcome).run();
  } catch (const RequestFailed& failure) {
    outcome.code = failure.code();
    outcome.message = failure.what();
  } catch (const std::exception& e) {
    outcome.code = AGENT_ERR_INTERNAL;
    outcome.message = std::string("unexpected error in the HTTP client: ") + e.what();
  } catch (...) {
    outcome.code = AGENT_ERR_INTERNAL;
    outcome.message = "unexpected error in the HTTP client";
  }
  return outcome;
}

const ClientOptions& HttpClient::options() const noexcept { return state_->options; }

std::size_t HttpClient::idle_connections() const { return state_->pool.idle(); }

}  // namespace agent_host::http_client
