// The command line (Boost.Program_options):
//   agent-host [--config FILE] [--port N] [--bind ADDR] [--plugins-dir DIR] [--agents-dir DIR]
//              [--log-level LEVEL] [--log-format text|json]
//   agent-host check-plugin FILE
//   agent-host --help | --version
#pragma once

namespace agent_host::app {

// Runs the command line and returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace agent_host::app
