// The CPU executor: the per-inference state of one model (the activation arena and
// every op's resolved buffer pointers) and the loop that runs the ops through the
// kernels. Everything is allocated at construction; run() allocates nothing.
// A context is used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"
#include "exec/input_state.h"
#include "exec/run_op.h"
#include "exec/schedule_tuner.h"
#include "util/aligned_buffer.h"

namespace swaprun::exec {

class CpuContext : public ExecutionContext {
  public:
    // threads: 0 for every core. Throws swaprun::Error or std::bad_alloc.
    CpuContext(std::shared_ptr<const engine::LoadedModel> model, int threads);

    // Copies `count` floats into the named input (checked against the input's size).
    void set_input(std::string_view name, const float* data, size_t count) override;
    // Runs the ops; fails if some input was never set. Ops whose result depends only on
    // inputs not set since the previous run (the style vectors, when only the target
    // changed) are skipped: their outputs are still in the arena. With op_ms non-null,
    // it receives every op's wall time in milliseconds (0 for a skipped op). The second
    // and third runs time the two Winograd schedules (ScheduleTuner); the outputs are
    // the same bits on any of them.
    void run(std::vector<double>* op_ms = nullptr) override;
    // The named output's values (valid until the next run or the context's end).
    std::span<const float> output(std::string_view name) const override;

    const engine::LoadedModel& model() const override { return *model_; }
    int threads() const { return threads_; }
    size_t arena_bytes() const { return arena_.bytes(); }

  private:
    std::shared_ptr<const engine::LoadedModel> model_;
    int threads_;
    AlignedFloatBuffer arena_;
    AlignedFloatBuffer conv_scratch_;        // shared by the prepared convolutions
    std::vector<const float*> tensor_data_;  // per tensor; null when unplanned
    std::vector<BoundOp> bound_;
    ScheduleTuner tuner_;  // times the Winograd schedules on the second and third runs
    InputState inputs_;
    std::vector<bool> skip_;  // per op, decided at the start of each run
};

}  // namespace swaprun::exec
