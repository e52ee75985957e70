// Random (version 4) UUIDs for request, conversation and message ids.
#pragma once

#include <string>

namespace agent_host::ids {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" in lower-case hex, 122 random bits from the kernel
// (getrandom). Poco's UUIDGenerator opens and reads /dev/urandom for each one: three syscalls and
// a descriptor (about 5 us here, several per chat turn, and impossible at the fd limit).
std::string random_uuid();

}  // namespace agent_host::ids
