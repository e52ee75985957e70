#include "http_client/connection.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace agent_host::http_client {
namespace {

// What is left until `deadline`, at least 1 ms (a zero Poco timeout would mean "forever").
Poco::Timespan remaining(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
  if (left <= 0) throw DeadlineExceeded();
  return Poco::Timespan(std::max<long long>(left, 1000));
}

int poll_ms(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) throw DeadlineExceeded();
  return static_cast<int>(std::min<long long>(left + 1, 1'000'000'000));
}

}  // namespace

Connection::Connection(Poco::Net::SocketAddress::Family family)
    : socket_(family), fd_(socket_.impl()->sockfd()) {}

Connection::~Connection() {
  try {
    // A TLS close sends close_notify; never let a dead peer hold the closing thread long.
    socket_.setSendTimeout(Poco::Timespan(0, 200'000));
  } catch (...) {
  }
}

void Connection::connect(const Poco::Net::SocketAddress& address, Clock::time_point deadline) {
  try {
    socket_.connect(address, remaining(deadline));
  } catch (const Poco::TimeoutException&) {
    throw DeadlineExceeded();
  }
  socket_.setNoDelay(true);
}

void Connection::start_tls(const std::string& host, const Poco::Net::Context::Ptr& context,
                           Clock::time_point deadline) {
  // During the handshake Poco waits on the socket timeout twice (recv, then poll) before it
  // gives up, so half the budget each keeps the whole handshake within the deadline.
  const Poco::Timespan left = remaining(deadline);
  const Poco::Timespan half(std::max<Poco::Timespan::TimeDiff>(left.totalMicroseconds() / 2, 1000));
  socket_.setReceiveTimeout(half);
  socket_.setSendTimeout(half);
  try {
    socket_ = Poco::Net::SecureStreamSocket::attach(socket_, host, context);
  } catch (const Poco::TimeoutException&) {
    throw DeadlineExceeded();
  }
  secure_ = true;
}

void Connection::write_all(std::string_view data, Clock::time_point deadline) {
  // Slices, so each send waits at most until the deadline as it stands for that slice.
  constexpr std::size_t kSlice = 64 * 1024;
  try {
    while (!data.empty()) {
      socket_.setSendTimeout(remaining(deadline));
      const int n = socket_.sendBytes(data.data(), static_cast<int>(std::min(data.size(), kSlice)),
                                      secure_ ? 0 : MSG_NOSIGNAL);
      if (n <= 0) throw Poco::IOException("the connection accepted no more data");
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  } catch (const Poco::TimeoutException&) {
    throw DeadlineExceeded();
  }
}

void Connection::wait_readable(Clock::time_point deadline) const {
  while (true) {
    pollfd poller{fd_, POLLIN, 0};
    const int rc = ::poll(&poller, 1, poll_ms(deadline));
    if (rc > 0) return;  // data, a close, or an error: the read that follows tells which
    if (rc == 0) {
      if (Clock::now() >= deadline) throw DeadlineExceeded();
      continue;
    }
    if (errno != EINTR) throw Poco::IOException("poll failed");
  }
}

std::size_t Connection::read_some(char* buffer, std::size_t capacity, Clock::time_point deadline) {
  const int size = static_cast<int>(std::min<std::size_t>(capacity, 1 << 30));
  try {
    while (true) {
      // TLS may already hold decrypted bytes that poll() cannot see.
      if (!secure_ || socket_.available() <= 0) wait_readable(deadline);
      // A backstop for a TLS record that arrives only in part.
      socket_.setReceiveTimeout(remaining(deadline));
      const int n = socket_.receiveBytes(buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      // Negative: TLS wants more bytes before it has a record; wait again.
    }
  } catch (const Poco::TimeoutException&) {
    throw DeadlineExceeded();
  }
}

bool Connection::quiet() const {
  if (secure_ && socket_.available() > 0) return false;
  pollfd poller{fd_, POLLIN, 0};
  return ::poll(&poller, 1, 0) == 0;
}

}  // namespace agent_host::http_client
