// What an execution context keeps of its graph inputs between calls, the same for every
// backend: which inputs were set, which changed since the last completed run, and
// whether a run has completed. It checks set_input's and output's arguments, refuses a
// run with an input never set, and says which ops still hold their result of the last
// run (plan::InputReuse: the style vectors, while only the frame changes).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "engine/loaded_model.h"
#include "plan/input_reuse.h"

namespace swaprun::exec {

class InputState {
  public:
    explicit InputState(const engine::LoadedModel& model);

    // The position of the named input in the model's inputs, after checking that it
    // exists, that `count` is its size and that data is not null. Throws
    // swaprun::Error (InvalidArgument) naming what is wrong. The caller copies the data
    // and then calls set(index).
    size_t checked_input(std::string_view name, const float* data, size_t count) const;
    void set(size_t index);

    // Throws swaprun::Error (InvalidArgument) naming the first input never set: a run
    // checks this first.
    void check_all_set() const;
    // Whether op k's result of the last completed run still holds: a run has completed,
    // the op is reusable, and none of the inputs it depends on was set since. Asked
    // before start_run.
    bool still_valid(const plan::InputReuse& reuse, size_t k) const;
    // A run begins: the outputs are unavailable until it completes (finish_run).
    void start_run() { has_run_ = false; }
    // The run completed: its outputs are available, and the inputs count as unchanged.
    void finish_run();

    // The position of the named output in the model's outputs, after checking that it
    // exists and that a run has completed. Throws swaprun::Error (InvalidArgument).
    size_t checked_output(std::string_view name) const;

  private:
    const engine::LoadedModel& model_;
    std::vector<bool> set_;      // per graph input
    std::vector<bool> changed_;  // per graph input: set since the last completed run
    bool has_run_ = false;       // the last run that started completed
};

}  // namespace swaprun::exec
