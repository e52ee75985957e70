#include "ids/random_bytes.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace agent_host::ids {

void random_bytes(std::uint8_t* data, std::size_t size) {
  std::size_t filled = 0;
  while (filled < size) {
    const ssize_t n = ::getrandom(data + filled, size - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<std::size_t>(n);
  }
}

}  // namespace agent_host::ids
