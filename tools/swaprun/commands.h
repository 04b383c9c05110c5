// The subcommands of swaprun. Each returns the process exit status and throws
// swaprun::Error or swaprun::ApiError for runtime failures (exit status 1).
#pragma once

#include "tools/swaprun/cli_args.h"

namespace swaprun::cli {

int run_infer(const Command& command);
int run_info(const Command& command);
int run_devices(const Command& command);
int run_swap(const Command& command);
int run_demo(const Command& command);
int run_stream(const Command& command);

}  // namespace swaprun::cli
