// The One-Euro filter (Casiez, Roussel and Vogel, CHI 2012): an exponential smoother
// whose cutoff rises with speed, so that a still point stops jittering and a moving one
// does not lag. Time is counted in frames; speed is divided by a caller-given scale (the
// face's width) so that the same settings fit faces of any size.
#pragma once

namespace swaprun::pipeline {

struct OneEuroSettings {
    double min_cutoff = 0.04;         // cycles per frame at rest (1 Hz at 25 fps)
    double beta = 25.0;               // cutoff gained per (scale per frame) of speed
    double derivative_cutoff = 0.04;  // cycles per frame, for the speed estimate
};

class OneEuroFilter {
  public:
    // The first sample passes through unchanged. `dt` (> 0) is the frames since the last
    // sample; `scale` (> 0) the size speed is measured against.
    double filter(double value, double dt, double scale, const OneEuroSettings& settings);

    double value() const { return value_; }
    // The smoothed speed of the raw samples, per frame.
    double speed() const { return speed_; }

  private:
    bool started_ = false;
    double value_ = 0;
    double raw_ = 0;
    double speed_ = 0;
};

}  // namespace swaprun::pipeline
