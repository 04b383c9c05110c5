// run_model: runs a raw .swpk model with the C++ wrapper (swaprun/swaprun.hpp) and
// prints each output's shape and value range.
//
//   run_model MODEL.swpk [VALUE]
//
// Every input is filled with VALUE (default 0.5). The model is read into memory and
// opened from there, as an application that ships the model inside its own assets
// would; swr_model_open / swaprun::Model::open takes a path instead.
#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "swaprun/swaprun.hpp"

namespace {

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::transform(chars.begin(), chars.end(), bytes.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    return bytes;
}

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string text = "[";
    for (size_t d = 0; d < shape.size(); ++d) text += (d ? ", " : "") + std::to_string(shape[d]);
    return text + "]";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: run_model MODEL.swpk [VALUE]\n";
        return 2;
    }
    try {
        const float value = argc == 3 ? std::stof(argv[2]) : 0.5f;
        // Copied by the library: the buffer may go as soon as the model is open.
        const swaprun::Model model = swaprun::Model::open_memory(read_file(argv[1]));
        swaprun::Context context(model, /*threads=*/0);

        for (int i = 0; i < model.input_count(); ++i) {
            const swaprun::TensorInfo input = model.input_info(i);
            const std::vector<float> values(static_cast<size_t>(input.element_count), value);
            context.set_input(input.name, values);
            std::cout << "input " << input.name << " " << shape_text(input.shape) << "\n";
        }
        context.run();
        for (int i = 0; i < model.output_count(); ++i) {
            const swaprun::TensorInfo output = model.output_info(i);
            const std::span<const float> values = context.output(output.name);
            const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
            std::cout << "output " << output.name << " " << shape_text(output.shape) << " min "
                      << *lowest << " max " << *highest << "\n";
        }
    } catch (const swaprun::ApiError& e) {
        std::cerr << "run_model: " << swr_status_name(e.status()) << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "run_model: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
