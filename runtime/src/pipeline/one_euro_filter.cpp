#include "pipeline/one_euro_filter.h"

#include <cmath>
#include <numbers>

namespace swaprun::pipeline {

namespace {

// The weight of a new sample in an exponential smoother with cutoff `cutoff` (cycles per
// frame) after `dt` frames: 1 / (1 + tau / dt), tau = 1 / (2 pi cutoff).
double smoothing_weight(double cutoff, double dt) {
    const double tau = 1.0 / (2.0 * std::numbers::pi * cutoff);
    return 1.0 / (1.0 + tau / dt);
}

}  // namespace

double OneEuroFilter::filter(double value, double dt, double scale,
                             const OneEuroSettings& settings) {
    if (!started_) {
        started_ = true;
        value_ = raw_ = value;
        speed_ = 0;
        return value_;
    }
    const double raw_speed = (value - raw_) / dt;
    const double speed_weight = smoothing_weight(settings.derivative_cutoff, dt);
    speed_ += speed_weight * (raw_speed - speed_);
    const double cutoff = settings.min_cutoff + settings.beta * std::abs(speed_) / scale;
    value_ += smoothing_weight(cutoff, dt) * (value - value_);
    raw_ = value;
    return value_;
}

}  // namespace swaprun::pipeline
