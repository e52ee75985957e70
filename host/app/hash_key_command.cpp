#include "app/hash_key_command.h"

#include <Poco/String.h>

#include <string>

#include "security/api_keys.h"

namespace agent_host::app {

int hash_key(bool generate, std::istream& in, std::ostream& out, std::ostream& err) {
  try {
    if (generate) {
      const std::string key = security::generate_api_key();
      out << "key:  " << key << "\nhash: " << security::hash_api_key(key) << "\n";
      return 0;
    }
    std::string key;
    std::getline(in, key);
    key = Poco::trim(key);
    if (key.empty()) {
      err << "agent-host: hash-key: give the key on standard input (or use --generate)\n";
      return 1;
    }
    out << security::hash_api_key(key) << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "agent-host: hash-key: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace agent_host::app
