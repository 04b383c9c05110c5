// Writes the fuzz targets' seed corpora from the test fixtures, one directory per target
// under argv[1]:
//   swpk/          the runtime tests' small generator, and every ONNX seed that converts
//   onnx_model/    the model.onnx of ONNX's operator tests (libonnx-testdata, argv[2])
//                  for the op families swapconv lowers
//   onnx_tensor/   those tests' input and output tensors (.pb)
//   npy/           .npy files of several shapes
//   image/         a small picture as PNG, JPEG (colour, grey), BMP and TGA
//   y4m/           short Y4M streams in each chroma layout
//   command_line/  valid swaprun and swapconv argument lists
// The corpora are generated, not committed: they follow the fixtures as those change.
#include <stb/stb_image_write.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "converter/convert.h"
#include "format/swpk_io.h"
#include "pipeline/image_io.h"
#include "test_support.h"
#include "tools/common/npy.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace {

// ONNX operator tests whose graphs use the op families swapconv lowers.
constexpr std::string_view kOnnxTestPrefixes[] = {
    "test_conv_",        "test_add",
    "test_mul",          "test_sub",
    "test_div",          "test_gemm_",
    "test_relu",         "test_leakyrelu",
    "test_tanh",         "test_sigmoid",
    "test_sqrt",         "test_reflect_pad",
    "test_constant_pad", "test_resize_upsample",
    "test_reduce_mean_", "test_reshape_",
    "test_shape",        "test_slice",
    "test_concat_",      "test_unsqueeze",
    "test_squeeze",      "test_gather_0",
    "test_transpose_",   "test_flatten_",
    "test_split_equal",  "test_matmul_2d",
    "test_instancenorm", "test_constant",
};

void write_bytes(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::string*>(context);
    out->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

void onnx_seeds(const fs::path& node_tests, const fs::path& out) {
    if (!fs::is_directory(node_tests)) {
        std::printf("fuzz_seeds: %s not found: no ONNX seeds (install libonnx-testdata)\n",
                    node_tests.c_str());
        return;
    }
    int models = 0, converted = 0;
    for (const auto& entry : fs::directory_iterator(node_tests)) {
        const std::string name = entry.path().filename().string();
        bool wanted = false;
        for (std::string_view prefix : kOnnxTestPrefixes) wanted |= name.starts_with(prefix);
        if (!wanted || !fs::exists(entry.path() / "model.onnx")) continue;
        fs::copy_file(entry.path() / "model.onnx", out / "onnx_model" / (name + ".onnx"),
                      fs::copy_options::overwrite_existing);
        ++models;
        const fs::path data = entry.path() / "test_data_set_0";
        for (const char* tensor : {"input_0.pb", "output_0.pb"}) {
            if (fs::exists(data / tensor)) {
                fs::copy_file(data / tensor, out / "onnx_tensor" / (name + "_" + tensor),
                              fs::copy_options::overwrite_existing);
            }
        }
        try {
            auto model =
                swaprun::convert::convert_onnx_file((entry.path() / "model.onnx").string(), {});
            swaprun::format::write_swpk(model->description,
                                        (out / "swpk" / (name + ".swpk")).string());
            ++converted;
        } catch (const swaprun::Error&) {
            // Tests whose inputs are not float tensors of known shape do not convert.
        }
    }
    std::printf("fuzz_seeds: %d ONNX models, %d converted to .swpk\n", models, converted);
}

void image_seeds(const fs::path& dir) {
    constexpr int kWidth = 12, kHeight = 10;
    std::vector<unsigned char> rgb(kWidth * kHeight * 3), grey(kWidth * kHeight);
    for (int i = 0; i < kWidth * kHeight; ++i) {
        rgb[3 * i] = static_cast<unsigned char>(i * 7);
        rgb[3 * i + 1] = static_cast<unsigned char>(i * 13);
        rgb[3 * i + 2] = static_cast<unsigned char>(255 - i);
        grey[i] = static_cast<unsigned char>(i * 5);
    }
    std::string png, jpeg, jpeg_grey, bmp, tga;
    stbi_write_png_to_func(append_bytes, &png, kWidth, kHeight, 3, rgb.data(), kWidth * 3);
    stbi_write_jpg_to_func(append_bytes, &jpeg, kWidth, kHeight, 3, rgb.data(), 90);
    stbi_write_jpg_to_func(append_bytes, &jpeg_grey, kWidth, kHeight, 1, grey.data(), 90);
    stbi_write_bmp_to_func(append_bytes, &bmp, kWidth, kHeight, 3, rgb.data());
    stbi_write_tga_to_func(append_bytes, &tga, kWidth, kHeight, 3, rgb.data());
    write_bytes(dir / "rgb.png", png);
    write_bytes(dir / "rgb.jpg", jpeg);
    write_bytes(dir / "grey.jpg", jpeg_grey);
    write_bytes(dir / "rgb.bmp", bmp);
    write_bytes(dir / "rgb.tga", tga);
}

void y4m_seeds(const fs::path& dir) {
    // Two 6x4 frames each; plane bytes as y4m_frame_bytes() gives them.
    struct Layout {
        const char* name;
        const char* tag;
        size_t frame_bytes;
    };
    const Layout layouts[] = {
        {"c420jpeg", " C420jpeg", 24 + 2 * 6},
        {"c420mpeg2", " C420mpeg2 XYSCSS=420MPEG2", 24 + 2 * 6},
        {"c422", " C422", 24 + 2 * 12},
        {"c444", " C444", 3 * 24},
        {"mono", " Cmono", 24},
    };
    for (const Layout& layout : layouts) {
        std::string stream = std::string("YUV4MPEG2 W6 H4 F25:1 Ip A1:1") + layout.tag + "\n";
        for (int frame = 0; frame < 2; ++frame) {
            stream += frame == 0 ? "FRAME\n" : "FRAME Ixyz\n";
            for (size_t i = 0; i < layout.frame_bytes; ++i) {
                stream += static_cast<char>((i * 37 + static_cast<size_t>(frame) * 11) & 0xff);
            }
        }
        write_bytes(dir / (std::string(layout.name) + ".y4m"), stream);
    }
}

void npy_seeds(const fs::path& dir) {
    using swaprun::tools::write_npy;
    const std::vector<int64_t> scalar = {}, vector = {6}, nchw = {1, 3, 4, 4};
    write_npy((dir / "scalar.npy").string(), scalar, std::vector<float>{1.5f});
    write_npy((dir / "vector.npy").string(), vector, swaprun::testkit::random_values(6, 2));
    write_npy((dir / "nchw.npy").string(), nchw, swaprun::testkit::random_values(48, 3));
}

void command_line_seeds(const fs::path& dir) {
    // First byte: 0 swaprun, 1 swapconv; then NUL-separated arguments.
    using namespace std::string_view_literals;
    const std::string_view lines[] = {
        "\0infer\0m.swpk\0--input\0target=t.npy\0--input=source=s.pb\0--output\0output=o.npy"
        "\0--threads\0"
        "2\0--repeat=3\0--profile"sv,
        "\0infer\0m.swpk\0--device\0vulkan:1\0--precision\0fp16\0--no-checksum"sv,
        "\0info\0m.swpk\0--no-checksum"sv,
        "\0devices"sv,
        "\0--version"sv,
        "\1in.onnx\0out.swpk\0--bind\0source=s.npy"sv,
        "\1--info\0m.onnx\0--bind\0a=b.pb"sv,
        "\1--help"sv,
        "\0swap\0--source\0a.png\0--target\0b.jpg\0-o\0out.png\0--models\0m\0--face\0"
        "1"sv,
        "\0swap\0--source=a.png\0--target=b.png\0--output=o.jpg\0--all-faces\0--pixel-boost"
        "\0"
        "512\0--source-landmarks\0"
        "1,2,3,4,5,6,7,8,9,10"sv,
        "\0demo\0-o\0out.png"sv,
    };
    int n = 0;
    for (std::string_view line : lines) write_bytes(dir / ("args" + std::to_string(n++)), line);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR ONNX_NODE_TEST_DIR\n");
        return 2;
    }
    try {
        const fs::path out = argv[1];
        for (const char* target :
             {"swpk", "onnx_model", "onnx_tensor", "npy", "image", "y4m", "command_line"}) {
            fs::create_directories(out / target);
        }
        swaprun::testkit::ModelBuilder generator = swaprun::testkit::small_generator();
        swaprun::format::write_swpk(generator.desc(),
                                    (out / "swpk" / "small_generator.swpk").string());
        onnx_seeds(argv[2], out);
        image_seeds(out / "image");
        npy_seeds(out / "npy");
        y4m_seeds(out / "y4m");
        command_line_seeds(out / "command_line");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_seeds: %s\n", e.what());
        return 1;
    }
}
