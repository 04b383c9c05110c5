#include "engine/loaded_model.h"

#include "graph/graph_validation.h"
#include "util/error.h"

namespace swaprun::engine {
namespace {

std::string quoted_names(const format::ModelDescription& model, const std::vector<uint32_t>& list) {
    std::string s;
    for (uint32_t i : list) {
        if (!s.empty()) s += ", ";
        s += "'" + model.tensors[i].name + "'";
    }
    return s.empty() ? "(none)" : s;
}

std::optional<size_t> find_in(const format::ModelDescription& model,
                              const std::vector<uint32_t>& list, std::string_view name) {
    for (size_t k = 0; k < list.size(); ++k) {
        if (model.tensors[list[k]].name == name) return k;
    }
    return std::nullopt;
}

}  // namespace

LoadedModel::LoadedModel(Key, std::unique_ptr<format::SwpkFile> file)
    : file_(std::move(file)),
      graph_(graph::validate_graph(file_->model(), file_->path())),
      plan_(plan::plan_activations(file_->model(), graph_)) {}

std::shared_ptr<const LoadedModel> LoadedModel::open(const std::string& path,
                                                     const format::ReadOptions& options) {
    return from_file(format::SwpkFile::open(path, options));
}

std::shared_ptr<const LoadedModel> LoadedModel::from_file(std::unique_ptr<format::SwpkFile> file) {
    if (file == nullptr) throw Error(ErrorKind::InvalidArgument, "LoadedModel: no file");
    return std::make_shared<const LoadedModel>(Key(), std::move(file));
}

std::optional<size_t> LoadedModel::find_input(std::string_view name) const {
    return find_in(description(), description().inputs, name);
}

std::optional<size_t> LoadedModel::find_output(std::string_view name) const {
    return find_in(description(), description().outputs, name);
}

std::optional<uint32_t> LoadedModel::find_extra(std::string_view name) const {
    const auto& tensors = description().tensors;
    for (uint32_t i = 0; i < tensors.size(); ++i) {
        if (tensors[i].role == format::TensorRole::Extra && tensors[i].name == name) return i;
    }
    return std::nullopt;
}

std::string LoadedModel::input_names() const {
    return quoted_names(description(), description().inputs);
}

std::string LoadedModel::output_names() const {
    return quoted_names(description(), description().outputs);
}

}  // namespace swaprun::engine
