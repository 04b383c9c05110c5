// Picks, per context, how the threads share each Winograd layer
// (kernels::WinogradSchedule) by timing both. The two schedules give the same bits;
// which is faster depends on the machine: live_mini's residual-block convolutions (2.4
// MB of transformed weights, which every thread reads when it runs private tiles) ran
// about 8 % faster on shared stages on a Xeon guest and about 5 % slower on a Zen 5
// guest, so no rule from the shape alone fits both.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "exec/run_op.h"

namespace swaprun::exec {

class ScheduleTuner {
  public:
    // The ops of `bound` that run a Winograd convolution alone (not as part of a pair),
    // on 2 threads or more (on one, the schedules are the same work).
    explicit ScheduleTuner(const std::vector<BoundOp>& bound);
    ScheduleTuner() = default;  // tunes nothing

    // The runs that time the schedules: the second (all private tiles) and the third
    // (all shared stages). The first goes as loaded: it pays the arena's first
    // touches.
    static constexpr int kTimedRuns = 2;

    // Whether the coming run times the tuned ops (record() each as it runs).
    bool timing() const { return !shape_times_.empty() && runs_ >= 1 && runs_ <= kTimedRuns; }
    // Sets the tuned ops' schedules in bound for the coming run.
    void begin_run(std::vector<BoundOp>& bound) const;
    // Op k ran for ms milliseconds in the coming run (ignored for an op not tuned).
    void record(size_t k, double ms);
    // The run completed. After the last timed one, each shape keeps the schedule under
    // which a run of its ops took less time on average, for the context's later runs.
    void end_run(std::vector<BoundOp>& bound);

  private:
    // A shape's timed op runs: [0] on private tiles, [1] on shared stages.
    struct Times {
        std::array<double, 2> ms{};
        std::array<int, 2> count{};
    };
    // Per op of bound: its shape's index in shape_times_ (ops of one shape are timed
    // together), or -1 for an op not tuned.
    std::vector<int> shape_;
    std::vector<Times> shape_times_;  // per shape
    int runs_ = 0;                    // completed runs
};

}  // namespace swaprun::exec
