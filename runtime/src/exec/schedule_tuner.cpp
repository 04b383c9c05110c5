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

ScheduleTuner::ScheduleTuner(const std::vector<BoundOp>& bound) : slot_(bound.size(), -1) {
    for (size_t k = 0; k < bound.size(); ++k) {
        const BoundOp& b = bound[k];
        if (b.conv == nullptr || b.paired_first != nullptr || b.threads < 2 ||
            !b.conv->has_schedules()) {
            continue;
        }
        size_t index = shape_times_.size();  // a new shape's, unless an earlier op has it
        for (const Tuned& t : ops_) {
            if (same_shape(*bound[t.op].conv, *b.conv)) {
                index = t.shape;
                break;
            }
        }
        if (index == shape_times_.size()) shape_times_.push_back({});
        slot_[k] = static_cast<int>(ops_.size());
        ops_.push_back(Tuned{k, index});
    }
}

void ScheduleTuner::begin_run(std::vector<BoundOp>& bound) const {
    if (!timing()) return;
    for (const Tuned& t : ops_) bound[t.op].schedule = timed_schedule(runs_);
}

void ScheduleTuner::record(size_t k, double ms) {
    if (!timing() || k >= slot_.size() || slot_[k] < 0) return;
    Times& times = shape_times_[ops_[static_cast<size_t>(slot_[k])].shape];
    const auto s = static_cast<size_t>(runs_ - 1);
    times.ms[s] += ms;
    ++times.count[s];
}

void ScheduleTuner::end_run(std::vector<BoundOp>& bound) {
    if (ops_.empty() || runs_ > kTimedRuns) return;
    if (++runs_ <= kTimedRuns) return;
    for (const Tuned& t : ops_) {
        const Times& times = shape_times_[t.shape];
        // Per run of an op: an op that skipped a timed run (its inputs unchanged) counts
        // in neither. A shape not timed under both keeps the schedule from load.
        if (times.count[0] == 0 || times.count[1] == 0) continue;
        const bool shared = times.ms[1] / static_cast<double>(times.count[1]) <
                            times.ms[0] / static_cast<double>(times.count[0]);
        bound[t.op].schedule =
            shared ? WinogradSchedule::SharedStages : WinogradSchedule::PrivateTiles;
    }
}

}  // namespace swaprun::exec
