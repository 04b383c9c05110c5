// Fuzz target: the command lines of swaprun and swapconv. The input is the argument
// list, NUL-separated; its first byte picks the program.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/swapconv/swapconv_args.h"
#include "tools/swaprun/cli_args.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool swapconv = (data[0] & 1) != 0;
    std::vector<std::string> args;
    std::string current;
    for (size_t i = 1; i < size; ++i) {
        if (data[i] == 0) {
            args.push_back(current);
            current.clear();
        } else {
            current.push_back(static_cast<char>(data[i]));
        }
    }
    if (!current.empty()) args.push_back(current);
    try {
        if (swapconv) {
            (void)swaprun::swapconv::parse_command_line(args);
        } else {
            (void)swaprun::cli::parse_command_line(args);
        }
    } catch (const swaprun::swapconv::UsageError&) {
    } catch (const swaprun::cli::UsageError&) {
    }
    return 0;
}
