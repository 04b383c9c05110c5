#include "exec/schedule_tuner.h"

namespace swaprun::exec {
namespace {

using kernels::WinogradSchedule;

// Whether a and b prepare to the same Winograd layer (the same params, the input read
// upsampled or not, the same ISA).
bool same_shape(const kernels::PreparedConv2d& a, const kernels::PreparedConv2d& b) {
    return a.params() == b.params() && a.upsampled_input() == b.upsampled_input() &&
           a.isa() == b.isa();
}

// The schedule of timed run `run` (1 or 2).
WinogradSchedule timed_schedule(int run) {
    return run == 1 ? WinogradSchedule::PrivateTiles : WinogradSchedule::SharedStages;
}

}  // namespace

ScheduleTuner::ScheduleTuner(const std::vector<BoundOp>& bound) : shape_(bound.size(), -1) {
    for (size_t k = 0; k < bound.size(); ++k) {
        const BoundOp& b = bound[k];
        if (b.conv == nullptr || b.paired_first != nullptr || b.threads < 2 ||
            !b.conv->has_schedules()) {
            continue;
        }
        // A new shape's, unless an earlier op has it.
        int shape = static_cast<int>(shape_times_.size());
        for (size_t e = 0; e < k; ++e) {
            if (shape_[e] >= 0 && same_shape(*bound[e].conv, *b.conv)) {
                shape = shape_[e];
                break;
            }
        }
        if (shape == static_cast<int>(shape_times_.size())) shape_times_.push_back({});
        shape_[k] = shape;
    }
}

void ScheduleTuner::begin_run(std::vector<BoundOp>& bound) const {
    if (!timing()) return;
    for (size_t k = 0; k < shape_.size(); ++k) {
        if (shape_[k] >= 0) bound[k].schedule = timed_schedule(runs_);
    }
}

void ScheduleTuner::record(size_t k, double ms) {
    if (!timing() || k >= shape_.size() || shape_[k] < 0) return;
    Times& times = shape_times_[static_cast<size_t>(shape_[k])];
    const auto s = static_cast<size_t>(runs_ - 1);
    times.ms[s] += ms;
    ++times.count[s];
}

void ScheduleTuner::end_run(std::vector<BoundOp>& bound) {
    if (shape_times_.empty() || runs_ > kTimedRuns) return;
    if (++runs_ <= kTimedRuns) return;
    for (size_t k = 0; k < shape_.size(); ++k) {
        if (shape_[k] < 0) continue;
        const Times& times = shape_times_[static_cast<size_t>(shape_[k])];
        // Per run of an op: an op that skipped a timed run (its inputs unchanged) counts
        // in neither. A shape not timed under both keeps the schedule from load.
        if (times.count[0] == 0 || times.count[1] == 0) continue;
        const bool shared = times.ms[1] / static_cast<double>(times.count[1]) <
                            times.ms[0] / static_cast<double>(times.count[0]);
        bound[k].schedule =
            shared ? WinogradSchedule::SharedStages : WinogradSchedule::PrivateTiles;
    }
}

}  // namespace swaprun::exec
