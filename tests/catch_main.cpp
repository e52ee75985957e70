// The one Catch2 main shared by every test executable. Like the host's main (app/cli.cpp), it
// ignores SIGPIPE: the tests run hosts, clients and servers in process, and a peer that hangs up
// must fail a write, not kill the test program.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
