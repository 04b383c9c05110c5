// swaprun: the command-line front end of the runtime (infer, info, devices).
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "swaprun/swaprun.hpp"
#include "tools/swaprun/cli_args.h"
#include "tools/swaprun/commands.h"
#include "util/error.h"

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

int dispatch(const swaprun::cli::Command& command) {
    using swaprun::cli::CommandKind;
    switch (command.kind) {
        case CommandKind::Help:
            std::cout << swaprun::cli::kUsage;
            return 0;
        case CommandKind::Version:
            std::cout << "swaprun " << swr_version() << " (reads .swpk format version 1)\n";
            return 0;
        case CommandKind::Infer:
            return swaprun::cli::run_infer(command);
        case CommandKind::Info:
            return swaprun::cli::run_info(command);
        case CommandKind::Devices:
            return swaprun::cli::run_devices(command);
        case CommandKind::Swap:
            return swaprun::cli::run_swap(command);
        case CommandKind::Demo:
            return swaprun::cli::run_demo(command);
        case CommandKind::Stream:
            return swaprun::cli::run_stream(command);
    }
    return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    swaprun::cli::Command command;
    try {
        command = swaprun::cli::parse_command_line(args);
    } catch (const swaprun::cli::UsageError& e) {
        std::cerr << "swaprun: " << e.what() << "\n"
                  << "Try 'swaprun --help' for more information.\n";
        return kExitUsage;
    }
    try {
        return dispatch(command);
    } catch (const std::bad_alloc&) {
        std::cerr << "swaprun: error: out of memory\n";
    } catch (const std::exception& e) {
        std::cerr << "swaprun: error: " << e.what() << "\n";
    }
    return kExitError;
}
