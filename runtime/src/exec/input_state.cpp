#include "exec/input_state.h"

#include <algorithm>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::exec {

InputState::InputState(const engine::LoadedModel& model)
    : model_(model),
      set_(model.description().inputs.size(), false),
      changed_(model.description().inputs.size(), true) {}

size_t InputState::checked_input(std::string_view name, const float* data, size_t count) const {
    const auto index = model_.find_input(name);
    if (!index) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat("unknown input '", name, "'; the model's inputs are ", model_.input_names()));
    }
    const auto& description = model_.description();
    const auto& tensor = description.tensors[description.inputs[*index]];
    const auto expected = static_cast<size_t>(tensor.elements());
    if (count != expected) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("input '", name, "' takes ", expected, " values (shape ",
                            shape_string(tensor.shape), "), got ", count));
    }
    if (data == nullptr) {
        throw Error(ErrorKind::InvalidArgument, str_cat("input '", name, "': null data"));
    }
    return *index;
}

void InputState::set(size_t index) {
    set_[index] = true;
    changed_[index] = true;
}

void InputState::check_all_set() const {
    const auto& description = model_.description();
    for (size_t k = 0; k < set_.size(); ++k) {
        if (!set_[k]) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("input '", description.tensors[description.inputs[k]].name,
                                "' was never set"));
        }
    }
}

bool InputState::still_valid(const plan::InputReuse& reuse, size_t k) const {
    if (!has_run_ || !reuse.reusable[k]) return false;
    return std::none_of(reuse.op_dependencies[k].begin(), reuse.op_dependencies[k].end(),
                        [&](uint32_t p) { return changed_[p]; });
}

void InputState::finish_run() {
    std::fill(changed_.begin(), changed_.end(), false);
    has_run_ = true;
}

size_t InputState::checked_output(std::string_view name) const {
    const auto index = model_.find_output(name);
    if (!index) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("unknown output '", name, "'; the model's outputs are ",
                            model_.output_names()));
    }
    if (!has_run_) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("output '", name, "' is not available: no run has completed"));
    }
    return *index;
}

}  // namespace swaprun::exec
