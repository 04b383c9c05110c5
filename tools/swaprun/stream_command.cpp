// swaprun stream: one source face into every frame of a video read from standard input
// (Y4M, or raw RGB24 frames with --size), written to standard output in the same format,
// frame by frame. The detector runs every --detect-every frames; a tracker carries the
// faces between detections (pipeline/face_tracker.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "pipeline/face_tracker.h"
#include "pipeline/frame_stream.h"
#include "pipeline/image_io.h"
#include "tools/swaprun/builtin_models.h"
#include "tools/swaprun/commands.h"
#include "tools/swaprun/face_models.h"
#include "util/error.h"

namespace swaprun::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Where each frame's time goes, summed over the frames; the parts of `swap` come from
// the pipeline's own stage times.
struct StageSeconds {
    double read = 0;       // reading and converting to RGB
    double detect = 0;     // the detector, on detection frames
    double track = 0;      // matching, smoothing, predicting
    double swap = 0;       // selection, crop, generator, paste-back
    double crop = 0;       // alignment and warp of the target crops (part of swap)
    double generator = 0;  // the generator alone (part of swap)
    double paste = 0;      // output conversion and paste-back (part of swap)
    double write = 0;      // re-encoding the changed pixels and writing
};

// One line on standard error, rewritten in place on a terminal, else at most every 2 s.
class Progress {
  public:
    Progress() : terminal_(isatty(STDERR_FILENO) != 0), start_(Clock::now()) {}

    void frame_done(int64_t frames, size_t faces) {
        const double now = seconds_since(start_);
        if (now - last_ < (terminal_ ? 0.25 : 2.0)) return;
        last_ = now;
        print(frames, faces, now, false);
    }

    void finish(int64_t frames, size_t faces) { print(frames, faces, seconds_since(start_), true); }

  private:
    void print(int64_t frames, size_t faces, double elapsed, bool final) const {
        const double fps = elapsed > 0 ? double(frames) / elapsed : 0.0;
        std::fprintf(stderr, "%sswaprun stream: %lld frames, %.2f fps, %zu %s%s",
                     terminal_ ? "\r" : "", static_cast<long long>(frames), fps, faces,
                     faces == 1 ? "face" : "faces", !terminal_ || final ? "\n" : "");
        std::fflush(stderr);
    }

    bool terminal_;
    Clock::time_point start_;
    double last_ = 0;
};

StageSeconds minus(const StageSeconds& a, const StageSeconds& b) {
    return {a.read - b.read, a.detect - b.detect,       a.track - b.track, a.swap - b.swap,
            a.crop - b.crop, a.generator - b.generator, a.paste - b.paste, a.write - b.write};
}

// The totals so far, with the swap's parts read from the pipeline's own stage times.
StageSeconds totals(StageSeconds loop, const pipeline::StageTimes& now,
                    const pipeline::StageTimes& at_start) {
    loop.crop = (now.crop_ms - at_start.crop_ms) / 1000.0;
    loop.generator = (now.generator_ms - at_start.generator_ms) / 1000.0;
    loop.paste = (now.paste_ms - at_start.paste_ms) / 1000.0;
    return loop;
}

struct ProfileCounts {
    int64_t frames = 0;  // all frames read
    int64_t detections = 0;
    int64_t faces_swapped = 0;
    int64_t timed_frames = 0;  // the frames `s` and `loop_seconds` cover
    double first_frame_ms = 0;
    double source_ms = 0;
};

void print_profile(const StageSeconds& s, double loop_seconds, const ProfileCounts& c) {
    const double per = c.timed_frames > 0 ? 1000.0 / double(c.timed_frames) : 0.0;
    const double total_ms = loop_seconds * per;
    const double generator_ms = s.generator * per;
    std::fprintf(
        stderr,
        "profile: frames=%lld detections=%lld faces_swapped=%lld source_ms=%.1f "
        "first_frame_ms=%.1f\n"
        "profile: per frame over %lld frames (%s):\n"
        "profile: ms per frame: read=%.2f detect=%.2f track=%.3f swap=%.2f "
        "(crop=%.2f generator=%.2f paste=%.2f) write=%.2f\n"
        "profile: per_frame_ms=%.2f generator_ms=%.2f non_generator_share=%.3f\n",
        static_cast<long long>(c.frames), static_cast<long long>(c.detections),
        static_cast<long long>(c.faces_swapped), c.source_ms, c.first_frame_ms,
        static_cast<long long>(c.timed_frames),
        c.timed_frames < c.frames ? "all but the first, which pays one-time costs" : "every frame",
        s.read * per, s.detect * per, s.track * per, s.swap * per, s.crop * per, generator_ms,
        s.paste * per, s.write * per, total_ms, generator_ms,
        total_ms > 0 ? (total_ms - generator_ms) / total_ms : 0.0);
}

}  // namespace

int run_stream(const Command& command) {
    // Binary frames through the C++ streams, each with its own buffer.
    std::ios::sync_with_stdio(false);
    const FaceArgs& args = command.face;
    const StreamArgs& stream_args = command.stream;
    if (isatty(STDIN_FILENO)) {
        throw Error(ErrorKind::InvalidArgument,
                    "standard input is a terminal: pipe a Y4M stream (or raw RGB24 frames "
                    "with --size) into swaprun stream");
    }
    if (isatty(STDOUT_FILENO)) {
        throw Error(ErrorKind::InvalidArgument,
                    "standard output is a terminal: redirect it to a file or a pipe");
    }

    const pipeline::Image source = pipeline::load_image(args.source);
    ResolvedModels models = resolve_face_models(args, std::cerr);
    const bool builtin = models.builtin;
    pipeline::FacePipeline pipeline = make_face_pipeline(args, std::move(models));
    if (!pipeline.has_detector()) {
        throw Error(ErrorKind::InvalidArgument,
                    "swaprun stream needs a face detector model (det_10g or det_500m in "
                    "--models DIR, or --detector PATH)");
    }
    const Clock::time_point source_start = Clock::now();
    set_source_face(pipeline, source, args, builtin);
    const double source_seconds = seconds_since(source_start);

    std::unique_ptr<pipeline::FrameStream> stream =
        stream_args.raw_width > 0
            ? pipeline::open_raw_rgb_stream(std::cin, std::cout, stream_args.raw_width,
                                            stream_args.raw_height)
            : pipeline::open_y4m_stream(std::cin, std::cout);
    pipeline::FaceTrackerOptions tracking;
    tracking.detect_every = stream_args.detect_every;
    pipeline::FaceTracker tracker(tracking);
    const bool every_face = args.all_faces || args.face_index.has_value();

    StageSeconds stages;
    Progress progress;
    int64_t frames = 0, detections = 0, faces_swapped = 0;
    size_t faces_now = 0;
    pipeline::Image frame;
    // The source's detection and embedding are counted apart (source_ms).
    const pipeline::StageTimes times_at_start = pipeline.stage_times();
    const Clock::time_point loop_start = Clock::now();
    // After the first frame: the profile leaves that frame's one-time costs out.
    StageSeconds after_first;
    Clock::time_point first_done = loop_start;
    while (true) {
        Clock::time_point t = Clock::now();
        if (!stream->read(frame)) break;
        stages.read += seconds_since(t);

        std::vector<pipeline::DetectedFace> faces;
        if (tracker.is_detection_frame(frames)) {
            t = Clock::now();
            const std::vector<pipeline::DetectedFace> found = pipeline.detect(frame);
            stages.detect += seconds_since(t);
            ++detections;
            t = Clock::now();
            faces = tracker.update(frames, found);
        } else {
            t = Clock::now();
            faces = tracker.predict(frames);
        }
        stages.track += seconds_since(t);
        faces_now = faces.size();
        // As `swap` does: without --all-faces or --face N, the leftmost face only.
        if (!every_face && faces.size() > 1) faces.resize(1);

        t = Clock::now();
        faces_swapped += static_cast<int64_t>(pipeline.process(frame, faces).size());
        stages.swap += seconds_since(t);

        t = Clock::now();
        stream->write(frame);
        stages.write += seconds_since(t);
        ++frames;
        if (frames == 1) {
            first_done = Clock::now();
            after_first = totals(stages, pipeline.stage_times(), times_at_start);
        }
        progress.frame_done(frames, faces_now);
    }
    stream->flush();
    const Clock::time_point loop_end = Clock::now();
    progress.finish(frames, faces_now);
    if (stream_args.profile) {
        const StageSeconds all = totals(stages, pipeline.stage_times(), times_at_start);
        ProfileCounts counts{
            frames,
            detections,
            faces_swapped,
            frames,
            std::chrono::duration<double, std::milli>(first_done - loop_start).count(),
            source_seconds * 1000.0};
        if (frames >= 2) {
            counts.timed_frames = frames - 1;
            print_profile(minus(all, after_first),
                          std::chrono::duration<double>(loop_end - first_done).count(), counts);
        } else {
            print_profile(all, std::chrono::duration<double>(loop_end - loop_start).count(),
                          counts);
        }
    }
    if (builtin) std::cerr << "swaprun: " << kSyntheticModelsWarning << "\n";
    return 0;
}

}  // namespace swaprun::cli
