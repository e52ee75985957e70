// Bytes from the kernel's CSPRNG (getrandom), for ids and secrets.
#pragma once

#include <cstddef>
#include <cstdint>

namespace agent_host::ids {

// Fills `size` bytes at `data`. Throws std::system_error if the kernel refuses.
void random_bytes(std::uint8_t* data, std::size_t size);

}  // namespace agent_host::ids
