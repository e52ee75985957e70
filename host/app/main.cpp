#include "app/cli.h"

int main(int argc, char** argv) { return agent_host::app::run_cli(argc, argv); }
