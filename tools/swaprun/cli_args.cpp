#include "tools/swaprun/cli_args.h"

#include <set>

#include "swaprun/swaprun.h"

namespace swaprun::cli {

const char* const kUsage =
    "usage: swaprun infer MODEL.swpk --input NAME=FILE [...] [--output NAME=FILE ...]\n"
    "                     [--threads N] [--warmup N] [--repeat N] [--profile]\n"
    "                     [--no-checksum] [--low-memory]\n"
    "                     [--device cpu|vulkan[:N]] [--precision fp32|fp16|bf16x3]\n"
    "       swaprun info MODEL.swpk [--no-checksum] [--max-activation-mb N] [--low-memory]\n"
    "                    [--precision fp32|bf16x3]\n"
    "       swaprun devices\n"
    "       swaprun swap --source FACE --target PHOTO -o OUT.png|.jpg [--models DIR]\n"
    "                    [--swapper NAME|PATH] [--detector PATH] [--recognizer PATH]\n"
    "                    [--all-faces | --face N] [--pixel-boost 256|512]\n"
    "                    [--source-landmarks x1,y1,...,x5,y5] [--target-landmarks ...]\n"
    "                    [--det-size WxH] [--device cpu|vulkan[:N]]\n"
    "                    [--precision fp32|fp16|bf16x3]\n"
    "                    [--threads N] [--low-memory]\n"
    "       swaprun demo [-o OUT.png] [--device ...] [--threads N]\n"
    "       swaprun stream --source FACE [--models DIR] [--swapper NAME|PATH]\n"
    "                    [--size WxH] [--detect-every N] [--all-faces | --face N]\n"
    "                    [--pixel-boost 256|512] [--source-landmarks ...] [--det-size WxH]\n"
    "                    [--device ...] [--threads N] [--low-memory] [--profile]\n"
    "                    < IN.y4m > OUT.y4m\n"
    "       swaprun --help | --version\n"
    "\n"
    "Runs a packed face-swap model (.swpk, made by swapconv) on the CPU or on Vulkan.\n"
    "  infer             run the model once on the given inputs and write the outputs\n"
    "  info              list the model's inputs, outputs, metadata, ops and memory plan\n"
    "  devices           list the Vulkan devices present and their features\n"
    "  swap              swap the face in FACE into PHOTO and write OUT (PNG or JPEG by\n"
    "                    its extension, written atomically; nothing on any error).\n"
    "                    --models DIR holds det_10g/det_500m, w600k_r50 and a swapper\n"
    "                    (inswapper_128, live_base, live_mini) as .onnx (converted once,\n"
    "                    cached beside as .swpk) or .swpk; without models, the embedded\n"
    "                    defaults (synthetic weights: no real swap). Without --all-faces\n"
    "                    or --face N (from 0, left to right) the leftmost face is swapped.\n"
    "                    Landmarks given by hand (eyes, nose, mouth corners) skip detection.\n"
    "  demo              run the whole pipeline on the embedded portrait with the\n"
    "                    embedded models and write OUT (default swaprun-demo.png)\n"
    "  stream            swap FACE into every frame of a video on standard input (Y4M,\n"
    "                    or raw RGB24 frames of --size WxH) and write it to standard\n"
    "                    output in the same format, frame by frame; the detector runs\n"
    "                    every --detect-every N frames (default 5) and faces are tracked\n"
    "                    between; models as for swap; progress on standard error;\n"
    "                    --profile adds each stage's time per frame at the end\n"
    "  --det-size WxH    the detector's input size (each side a multiple of 32, up to\n"
    "                    2048; default 640x640): the image is letterboxed into it. A\n"
    "                    detector .onnx with open height and width (insightface's) is\n"
    "                    converted at this size; one of a fixed size must match it.\n"
    "                    640x384 suits 16:9 video at 60 % of 640x640's detection time\n"
    "  --input NAME=FILE   a model input: .npy (float32) or ONNX TensorProto .pb\n"
    "  --output NAME=FILE  write a model output to FILE (.npy), atomically; nothing is\n"
    "                      written when the run fails\n"
    "  --threads N       worker threads (0, the default: every core)\n"
    "  --device D        cpu (the default), vulkan (the best device) or vulkan:N\n"
    "                    (device N of 'swaprun devices')\n"
    "  --precision P     fp32 (the default); fp16 (Vulkan: 16-bit storage, and 16-bit\n"
    "                    arithmetic in the tiled convolution where the device has it);\n"
    "                    bf16x3 (CPU: on AMX tiles, the Winograd and stride-2\n"
    "                    convolutions' products as three bf16 products summed in fp32,\n"
    "                    about 16 significant bits; the same as fp32 on CPUs without AMX);\n"
    "                    info: the CPU kernels the precision takes (fp32 or bf16x3)\n"
    "  --warmup N        run N more times, untimed, after the first (default 0). A CPU\n"
    "                    context on 2 threads or more times its Winograd schedules in\n"
    "                    its second and third runs: --warmup 2 times the steady speed\n"
    "  --repeat N        then run N times more, timed, and print median_ms=<ms> as the\n"
    "                    last line (model loading excluded)\n"
    "  --profile         print each op's median time and GFLOP/s over the timed runs\n"
    "                    (without --repeat: over the untimed ones)\n"
    "  --no-checksum     skip verifying the file checksum (faster load)\n"
    "  --low-memory      keep less of the CPU's packed weights: a Winograd layer that\n"
    "                    runs in one pass transforms its 3x3 kernels on every run\n"
    "                    (inswapper_128: about 0.6 GB resident instead of 2.0 GB,\n"
    "                    about a fifth slower; infer, info, and swap and stream for\n"
    "                    their swapper)\n"
    "  --pipeline-cache FILE  Vulkan: start from this pipeline cache file and save the\n"
    "                    pipelines to it (less start-up time on the next run)\n"
    "  --cpu-fallback    run on the CPU (with a warning) when the Vulkan device\n"
    "                    cannot be used\n"
    "  --max-activation-mb N  refuse a model whose activations need more than N MiB\n"
    "                    (default 4096; infer and info)\n"
    "\n"
    "Exit status: 0 success, 1 error, 2 usage error.\n";

namespace {

NamedFile parse_named_file(const std::string& flag, const std::string& text) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
        throw UsageError(flag + " takes NAME=FILE, not '" + text + "'");
    }
    return {text.substr(0, eq), text.substr(eq + 1)};
}

// swap and demo: the shared face options (face_args.h), then what each requires.
Command parse_face_command(const std::vector<std::string>& args) {
    Command command;
    command.kind = args[0] == "swap" ? CommandKind::Swap : CommandKind::Demo;
    FaceArgs& face = command.face;
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            command.kind = CommandKind::Help;
            return command;
        }
        if (!parse_face_option(args, i, face)) {
            throw UsageError("unknown option or argument '" + args[i] + "' for '" + args[0] + "'");
        }
    }
    check_precision_device(face.precision, face.device);
    if (command.kind == CommandKind::Demo) {
        const bool other = !face.source.empty() || !face.target.empty() ||
                           !face.models_dir.empty() || !face.detector.empty() ||
                           !face.recognizer.empty() || !face.swapper.empty() || face.all_faces ||
                           face.face_index || face.source_landmarks || face.target_landmarks ||
                           face.low_memory;
        if (other) {
            throw UsageError(
                "'demo' takes only -o, --pixel-boost, --device, --precision and "
                "--threads");
        }
        return command;
    }
    if (face.source.empty()) throw UsageError("'swap' needs --source FACE");
    if (face.target.empty()) throw UsageError("'swap' needs --target PHOTO");
    if (face.output.empty()) throw UsageError("'swap' needs -o OUT.png (or .jpg)");
    return command;
}

}  // namespace

Command parse_command_line(const std::vector<std::string>& args) {
    Command command;
    if (args.empty()) throw UsageError("no command given");
    const std::string& first = args[0];
    if (first == "--help" || first == "-h" || first == "help") {
        command.kind = CommandKind::Help;
        return command;
    }
    if (first == "--version") {
        command.kind = CommandKind::Version;
        return command;
    }
    if (first == "swap" || first == "demo") return parse_face_command(args);
    if (first == "stream") return parse_stream_command(args);
    if (first == "infer") {
        command.kind = CommandKind::Infer;
    } else if (first == "info") {
        command.kind = CommandKind::Info;
    } else if (first == "devices") {
        command.kind = CommandKind::Devices;
        if (args.size() > 1) throw UsageError("'devices' takes no arguments");
        return command;
    } else {
        throw UsageError("unknown command '" + first + "'");
    }

    std::set<std::string> input_names, output_names;
    // The options given once at most (all that take a value but --input and --output).
    std::set<std::string> given;
    for (size_t i = 1; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--help" || arg == "-h") {
            command.kind = CommandKind::Help;
            return command;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            if (!command.model_path.empty()) {
                throw UsageError("unexpected argument '" + arg + "' (one model file only)");
            }
            command.model_path = arg;
            continue;
        }
        // "--flag=value" and "--flag value" are both accepted.
        std::optional<std::string> value;
        const size_t eq = arg.find('=');
        if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg.resize(eq);
        }
        const bool takes_value = arg == "--input" || arg == "--output" || arg == "--threads" ||
                                 arg == "--repeat" || arg == "--warmup" || arg == "--device" ||
                                 arg == "--precision" || arg == "--max-activation-mb" ||
                                 arg == "--pipeline-cache";
        const bool is_switch = arg == "--no-checksum" || arg == "--profile" ||
                               arg == "--cpu-fallback" || arg == "--low-memory";
        const bool infer_only = arg != "--no-checksum" && arg != "--max-activation-mb" &&
                                arg != "--low-memory" && arg != "--precision";
        if (!takes_value && !is_switch) throw UsageError("unknown option '" + arg + "'");
        if (infer_only && command.kind != CommandKind::Infer) {
            throw UsageError(arg + " applies to 'infer' only");
        }
        if (!takes_value) {
            if (value) throw UsageError(arg + " takes no value");
            if (arg == "--profile") {
                command.profile = true;
            } else if (arg == "--cpu-fallback") {
                command.cpu_fallback = true;
            } else if (arg == "--low-memory") {
                command.low_memory = true;
            } else {
                command.verify_checksum = false;
            }
            continue;
        }
        if (!value) {
            if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
            value = args[++i];
        }
        if (arg != "--input" && arg != "--output" && !given.insert(arg).second) {
            throw UsageError(arg + " is given twice");
        }
        if (arg == "--input") {
            NamedFile f = parse_named_file(arg, *value);
            if (!input_names.insert(f.name).second) {
                throw UsageError("input '" + f.name + "' is given twice");
            }
            command.inputs.push_back(std::move(f));
        } else if (arg == "--output") {
            NamedFile f = parse_named_file(arg, *value);
            if (!output_names.insert(f.name).second) {
                throw UsageError("output '" + f.name + "' is given twice");
            }
            command.outputs.push_back(std::move(f));
        } else if (arg == "--threads") {
            command.threads = parse_count(arg, *value, 4096);
        } else if (arg == "--device") {
            command.device = parse_device(*value);
        } else if (arg == "--precision") {
            command.precision = parse_precision(*value);
        } else if (arg == "--pipeline-cache") {
            if (value->empty()) throw UsageError(arg + " needs a file name");
            command.pipeline_cache = *value;
        } else if (arg == "--max-activation-mb") {
            command.max_activation_mb = parse_count(arg, *value, 1 << 20);
            if (command.max_activation_mb == 0) {
                throw UsageError(arg + " takes a whole number from 1 to " +
                                 std::to_string(1 << 20) + ", not '" + *value + "'");
            }
        } else if (arg == "--warmup") {
            command.warmup = parse_count(arg, *value, 1000000);
        } else {
            command.repeat = parse_count(arg, *value, 1000000);
        }
    }
    if (command.model_path.empty()) throw UsageError("no model file given");
    check_precision_device(command.precision, command.device);
    if (command.kind == CommandKind::Info && command.precision == SWR_PRECISION_FP16) {
        throw UsageError("'info' describes the CPU's kernels: --precision fp32 or bf16x3");
    }
    std::set<std::string> paths;
    for (const NamedFile& f : command.outputs) {
        if (!paths.insert(f.path).second) {
            throw UsageError("two outputs would be written to '" + f.path + "'");
        }
    }
    return command;
}

}  // namespace swaprun::cli
