#include "converter/convert.h"

#include <algorithm>

#include "converter/lower.h"
#include "converter/onnx/tensor_file.h"
#include "converter/passes/passes.h"

namespace swaprun::convert {

namespace {

// What the runtime and the face pipeline need to know about a generator that the
// ONNX file does not say: the value ranges of its image tensors and where its emap is.
void describe_generator(const Graph& g, format::ModelDescription& d) {
    auto has = [](const std::vector<std::string>& names, const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
    };
    if (has(g.inputs, "target") && has(g.inputs, "source") && has(g.outputs, "output")) {
        d.metadata["model.kind"] = "face-swap-generator";
        d.metadata["input.target.range"] = "0,1";
        d.metadata["output.output.range"] = "0,1";
        const auto& shape = g.value("target").shape;
        if (shape.size() == 4) d.metadata["crop.size"] = std::to_string(shape[3]);
        if (has(g.extras, "buff2fs")) d.metadata["latent.emap"] = "buff2fs";
    }
}

std::string file_stem(const std::string& path) {
    auto slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    auto dot = name.find_last_of('.');
    return dot == std::string::npos ? name : name.substr(0, dot);
}

}  // namespace

std::unique_ptr<ConvertedModel> convert_onnx_file(const std::string& path,
                                                  const ConvertOptions& options) {
    const auto bytes = onnx::read_file_bytes(path);
    const onnx::Model model = onnx::decode_model(bytes, path);

    std::vector<Binding> bindings;
    for (const auto& [name, file] : options.bindings) {
        Binding b;
        b.name = name;
        b.tensor = onnx::read_tensor_file(file);
        bindings.push_back(std::move(b));
    }

    auto out = std::make_unique<ConvertedModel>();
    out->graph = import_model(model, path, bindings, options.input_shapes);
    infer_and_fold(out->graph);
    fuse(out->graph);
    out->description = lower(out->graph);

    auto& meta = out->description.metadata;
    for (const auto& [key, value] : model.metadata) meta["onnx." + key] = value;
    meta["model.name"] = file_stem(path);
    meta["model.producer"] =
        model.producer_name + (model.producer_version.empty() ? "" : " " + model.producer_version);
    meta["model.opset"] = std::to_string(model.opset());
    describe_generator(out->graph, out->description);
    return out;
}

}  // namespace swaprun::convert
