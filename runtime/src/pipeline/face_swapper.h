// The generator step: the target face cut out at the generator's crop size (or a pixel
// boost multiple of it), run with the source latent, and pasted back through a
// feathered mask, as insightface's INSwapper.get with paste_back does.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"
#include "pipeline/backend_options.h"
#include "pipeline/face_template.h"
#include "pipeline/image.h"
#include "pipeline/image_convert.h"
#include "pipeline/paste_back.h"
#include "pipeline/soft_mask.h"

namespace swaprun::pipeline {

// The value range "lo,hi" of a generator's image tensor as a Normalization (value =
// (pixel - mean) / scale maps 0..255 to lo..hi). Throws swaprun::Error (Format) naming
// `key` for text that is not two numbers with lo < hi.
Normalization range_normalization(const std::string& text, const std::string& key);

class FaceSwapper {
  public:
    // The model must have inputs "target" [1, 3, S, S] and "source" [1, L] and output
    // "output" [1, 3, S, S]; metadata crop.size (else S), input.target.range and
    // output.output.range (else "0,1"), latent.emap naming an extra tensor [E, L] (else
    // the latent is the embedding itself, E = L). Throws swaprun::Error
    // (InvalidArgument) naming the model otherwise.
    FaceSwapper(std::shared_ptr<const engine::LoadedModel> model, const BackendOptions& backend);

    // latent = normalize(normalize(embedding) @ emap), or normalize(embedding) without
    // an emap. Throws swaprun::Error (InvalidArgument) for an embedding of the wrong size.
    std::vector<float> latent(std::span<const float> embedding) const;
    // Sets the source identity (kept across frames, so per-source work runs once).
    void set_source(std::span<const float> embedding);
    bool has_source() const { return has_source_; }

    // Swaps the face at `landmarks` in `frame`; crop_size 0 means crop_size(). Returns
    // the frame rectangle written. Throws swaprun::Error (InvalidArgument) without a
    // source or for a crop size that is not a multiple of crop_size().
    PixelBox swap(Image& frame, const FivePoints& landmarks, int crop_size = 0);

    int crop_size() const { return crop_size_; }
    size_t embedding_size() const { return embedding_size_; }

    // Milliseconds spent in swap() so far, by part.
    struct Times {
        double crop_ms = 0;
        double generator_ms = 0;
        double paste_ms = 0;
    };
    Times& times() { return times_; }

  private:
    // Runs the generator on one crop-sized planar image (already normalized) and writes
    // its output to `result`.
    void run(const PlanarImage& target, PlanarImage& result);
    const MaskPlane& mask(int size);

    std::shared_ptr<const engine::LoadedModel> model_;
    std::unique_ptr<exec::ExecutionContext> context_;
    int crop_size_ = 0;
    size_t embedding_size_ = 0;
    size_t latent_size_ = 0;
    std::span<const float> emap_;  // [embedding_size_, latent_size_] or empty
    Normalization input_norm_ = kUnitRange;
    Normalization output_norm_ = kUnitRange;
    bool has_source_ = false;
    std::map<int, MaskPlane> masks_;  // by crop size
    Times times_;
    // Each frame's crop, generator input and output and pasted crop, kept for the next
    // frame: allocated afresh (with the detector's input), they faulted in about 1400
    // new pages (5.5 MB) per live_mini frame, which cost the crop stage 4 ms of its 5.4.
    Image crop_;
    PlanarImage target_;
    PlanarImage generated_;
    Image generated_rgb_;
};

}  // namespace swaprun::pipeline
