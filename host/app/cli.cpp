#include "app/cli.h"

#include <Poco/Exception.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>

#include "app/check_plugin_command.h"
#include "app/hash_key_command.h"
#include "app/host_app.h"
#include "app/sign_plugin_command.h"
#include "observability/logging.h"
#include "plugins/abi_version.h"

namespace agent_host::app {
namespace {

namespace po = boost::program_options;

// Where the config comes from when --config is not given: the embedded default in the
// repository (run from its root), then the installed one; with neither, built-in defaults.
std::optional<std::filesystem::path> find_default_config() {
  for (const char* candidate : {"config/host.json", AGENT_HOST_INSTALLED_CONFIG_FILE}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return std::filesystem::path(candidate);
  }
  return std::nullopt;
}

// Blocks until SIGINT or SIGTERM. The signals are blocked in every thread (set before any
// thread starts) so that only this sigwait sees them.
void wait_for_termination(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("host: received signal {}, stopping", received);
}

int serve(const po::variables_map& vm) {
  HostConfig config;
  std::optional<std::filesystem::path> config_file;
  if (vm.count("config")) {
    config_file = vm["config"].as<std::string>();
  } else {
    config_file = find_default_config();
  }
  config = config_file ? load_host_config(*config_file) : default_host_config();
  if (vm.count("port")) config.http.port = vm["port"].as<unsigned>();
  if (vm.count("bind")) config.http.bind = vm["bind"].as<std::string>();
  if (vm.count("plugins-dir")) config.plugins_dir = vm["plugins-dir"].as<std::string>();
  if (vm.count("agents-dir")) config.agents_dir = vm["agents-dir"].as<std::string>();
  if (vm.count("log-level")) config.log_level = vm["log-level"].as<std::string>();
  if (vm.count("insecure")) config.insecure = true;
  if (vm.count("log-format")) config.log_format = vm["log-format"].as<std::string>();
  if (vm.count("store-path")) {
    config.store.type = store::StoreConfig::Type::sqlite;
    config.store.sqlite_path = std::filesystem::absolute(vm["store-path"].as<std::string>());
  }
  if (config.http.port > 65535) throw ConfigError("--port must be 0..65535");
  observability::configure_logging(config.log_level,
                                   observability::parse_log_format(config.log_format));
  if (config_file) spdlog::info("host: config from {}", config_file->string());

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client, upstream or Redis that hangs up must fail a write (EPIPE), not kill the host.
  // Signal dispositions are the program's, so this is the one place the host sets it; the
  // libraries (HTTP client, OpenSSL, hiredis) rely on it.
  std::signal(SIGPIPE, SIG_IGN);
  // Past a file-size limit (ulimit -f) a write fails with EFBIG and the store answers 507,
  // instead of the signal killing the host mid-transaction.
  std::signal(SIGXFSZ, SIG_IGN);

  HostApp host(std::move(config));
  host.start();
  wait_for_termination(signals);
  host.stop();
  spdlog::info("host: stopped");
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help and exit")("version", "show versions and exit")(
      "config,c", po::value<std::string>(), "host config file (default: config/host.json)")(
      "port,p", po::value<unsigned>(), "TCP port to listen on (0 = any free port)")(
      "bind", po::value<std::string>(), "address to listen on (default 127.0.0.1)")(
      "plugins-dir", po::value<std::string>(), "folder of plugin .so files")(
      "agents-dir", po::value<std::string>(), "folder of agent definitions (<id>.json)")(
      "log-level", po::value<std::string>(), "trace, debug, info, warn, error or off")(
      "log-format", po::value<std::string>(), "text (default) or json: one JSON object a line")(
      "store-path", po::value<std::string>(), "keep conversations in this SQLite file")(
      "key", po::value<std::string>(), "sign-plugin: the PEM private key (RSA or EC)")(
      "insecure", "serve a non-loopback address without authentication")(
      "generate", "hash-key: make a new random key and print it with its hash");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>())("args",
                                                            po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("args", -1);

  const auto usage = [&](std::ostream& out) {
    out << "Usage: agent-host [options]\n"
           "       agent-host check-plugin FILE   print a plugin's manifest or why it is "
           "refused\n"
           "       agent-host sign-plugin --key KEY.pem FILE   write FILE.sig (detached "
           "signature)\n"
           "       agent-host hash-key [--generate]   hash an API key read on stdin for "
           "auth.api_keys\n\n"
        << options;
  };
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      usage(std::cout);
      return 0;
    }
    if (vm.count("version")) {
      std::cout << "agent-host " << AGENT_HOST_VERSION << " (plugin ABI "
                << plugins::host_abi().to_string() << ")\n";
      return 0;
    }
    if (vm.count("command")) {
      const std::string command = vm["command"].as<std::string>();
      const auto args =
          vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
      if (command == "check-plugin" && args.size() == 1) {
        observability::configure_logging("warn");
        return check_plugin(args[0], std::cout, std::cerr);
      }
      if (command == "sign-plugin" && args.size() == 1 && vm.count("key")) {
        return sign_plugin(args[0], vm["key"].as<std::string>(), std::cout, std::cerr);
      }
      if (command == "hash-key" && args.empty()) {
        return hash_key(vm.count("generate") > 0, std::cin, std::cout, std::cerr);
      }
      std::cerr << "agent-host: unknown command or wrong arguments: " << command << "\n";
      usage(std::cerr);
      return 2;
    }
    return serve(vm);
  } catch (const po::error& e) {
    std::cerr << "agent-host: " << e.what() << "\n";
    usage(std::cerr);
    return 2;
  } catch (const Poco::Exception& e) {
    // Poco's what() is only the exception's class name; displayText() says what happened.
    std::cerr << "agent-host: " << e.displayText() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "agent-host: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace agent_host::app
