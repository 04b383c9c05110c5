#include "pipeline/face_swapper.h"

#include <charconv>
#include <chrono>
#include <cmath>

#include "pipeline/face_recognizer.h"
#include "pipeline/pixel_boost.h"
#include "pipeline/warp_affine.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

const char* const kTarget = "target";
const char* const kSource = "source";
const char* const kOutput = "output";

[[noreturn]] void fail(const engine::LoadedModel& model, const std::string& what) {
    throw Error(ErrorKind::InvalidArgument,
                str_cat(model.path(), ": not a face-swap generator: ", what));
}

const format::TensorDescription& tensor(const engine::LoadedModel& model,
                                        std::optional<size_t> position, bool input,
                                        const char* name) {
    const format::ModelDescription& d = model.description();
    if (!position) {
        fail(model, str_cat("no ", input ? "input" : "output", " '", name, "' (it has ",
                            input ? model.input_names() : model.output_names(), ")"));
    }
    return d.tensors[input ? d.inputs[*position] : d.outputs[*position]];
}

std::string metadata(const engine::LoadedModel& model, const std::string& key,
                     const std::string& fallback) {
    const auto& m = model.description().metadata;
    const auto it = m.find(key);
    return it == m.end() ? fallback : it->second;
}

}  // namespace

Normalization range_normalization(const std::string& text, const std::string& key) {
    const size_t comma = text.find(',');
    float lo = 0, hi = 0;
    const char* end = text.data() + text.size();
    bool ok = comma != std::string::npos;
    if (ok) {
        const auto a = std::from_chars(text.data(), text.data() + comma, lo);
        const auto b = std::from_chars(text.data() + comma + 1, end, hi);
        ok = a.ec == std::errc() && a.ptr == text.data() + comma && b.ec == std::errc() &&
             b.ptr == end && std::isfinite(lo) && std::isfinite(hi) && lo < hi;
    }
    if (!ok) {
        throw Error(ErrorKind::Format, str_cat("metadata ", key, " is '", text,
                                               "', expected 'low,high' (low < high)"));
    }
    const float scale = 255.0f / (hi - lo);
    return {-lo * scale, scale};
}

FaceSwapper::FaceSwapper(std::shared_ptr<const engine::LoadedModel> model,
                         const BackendOptions& backend)
    : model_(std::move(model)) {
    const engine::LoadedModel& m = *model_;
    const auto& target = tensor(m, m.find_input(kTarget), true, kTarget);
    const auto& source = tensor(m, m.find_input(kSource), true, kSource);
    const auto& output = tensor(m, m.find_output(kOutput), false, kOutput);
    if (m.description().inputs.size() != 2) {
        fail(m, str_cat("inputs ", m.input_names(), ", expected 'target' and 'source'"));
    }
    if (target.shape.size() != 4 || target.shape[0] != 1 || target.shape[1] != 3 ||
        target.shape[2] != target.shape[3]) {
        fail(m,
             str_cat("input 'target' is ", shape_string(target.shape), ", expected [1, 3, S, S]"));
    }
    if (output.shape != target.shape) {
        fail(m, str_cat("output 'output' is ", shape_string(output.shape), ", expected ",
                        shape_string(target.shape)));
    }
    crop_size_ = static_cast<int>(target.shape[2]);
    const std::string crop = metadata(m, "crop.size", std::to_string(crop_size_));
    if (crop != std::to_string(crop_size_)) {
        fail(m, str_cat("metadata crop.size is ", crop, " but the target input is ",
                        shape_string(target.shape)));
    }
    arcface_template(crop_size_);  // throws for a size the template cannot be scaled to
    latent_size_ = static_cast<size_t>(source.elements());
    input_norm_ =
        range_normalization(metadata(m, "input.target.range", "0,1"), "input.target.range");
    output_norm_ =
        range_normalization(metadata(m, "output.output.range", "0,1"), "output.output.range");
    const std::string emap_name = metadata(m, "latent.emap", "");
    embedding_size_ = latent_size_;
    if (!emap_name.empty()) {
        const auto index = m.find_extra(emap_name);
        if (!index)
            fail(m, str_cat("metadata latent.emap names '", emap_name, "', not in the file"));
        const auto& emap = m.description().tensors[*index];
        if (emap.shape.size() != 2 || static_cast<size_t>(emap.shape[1]) != latent_size_) {
            fail(m, str_cat("emap '", emap_name, "' is ", shape_string(emap.shape),
                            ", expected [E, ", latent_size_, "]"));
        }
        embedding_size_ = static_cast<size_t>(emap.shape[0]);
        emap_ = emap.data;
    }
    context_ = make_execution_context(model_, backend);
}

std::vector<float> FaceSwapper::latent(std::span<const float> embedding) const {
    if (embedding.size() != embedding_size_) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("the source embedding has ", embedding.size(), " values; ",
                            model_->path(), " takes ", embedding_size_));
    }
    const std::vector<float> normed = l2_normalized(embedding, "the source embedding");
    if (emap_.empty()) return normed;
    std::vector<double> projected(latent_size_, 0.0);
    for (size_t i = 0; i < embedding_size_; ++i) {
        const float* row = emap_.data() + i * latent_size_;
        for (size_t j = 0; j < latent_size_; ++j)
            projected[j] += static_cast<double>(normed[i]) * row[j];
    }
    std::vector<float> out(projected.begin(), projected.end());
    return l2_normalized(out, "the source latent (embedding @ emap)");
}

void FaceSwapper::set_source(std::span<const float> embedding) {
    const std::vector<float> l = latent(embedding);
    context_->set_input(kSource, l.data(), l.size());
    has_source_ = true;
}

void FaceSwapper::run(const PlanarImage& target, PlanarImage& result) {
    context_->set_input(kTarget, target.data(), target.plane_size() * 3);
    context_->run();
    const std::span<const float> out = context_->output(kOutput);
    if (result.width() != crop_size_ || result.height() != crop_size_) {
        result = PlanarImage(crop_size_, crop_size_, kUninitialized);
    }
    std::copy(out.begin(), out.end(), result.data());
}

const MaskPlane& FaceSwapper::mask(int size) {
    auto it = masks_.find(size);
    if (it == masks_.end()) it = masks_.emplace(size, make_feathered_mask(size, size)).first;
    return it->second;
}

PixelBox FaceSwapper::swap(Image& frame, const FivePoints& landmarks, int crop_size) {
    if (!has_source_) {
        throw Error(ErrorKind::InvalidArgument, "no source face set: set one before swapping");
    }
    const int size = crop_size == 0 ? crop_size_ : crop_size;
    if (size < crop_size_ || size % crop_size_ != 0) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("crop size ", size, " is not a multiple of the generator's ",
                            crop_size_, " (", model_->path(), ")"));
    }
    using Clock = std::chrono::steady_clock;
    auto ms_since = [](Clock::time_point t) {
        return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    };
    auto start = Clock::now();
    const Affine2 crop_from_frame = align_to_template(landmarks, size);
    if (crop_.width() != size || crop_.height() != size) crop_ = Image(size, size);
    warp_affine_into(frame, crop_from_frame, crop_);
    to_planar_into(crop_, input_norm_, target_);
    const int factor = size / crop_size_;
    std::vector<PlanarImage> tiles;
    if (factor > 1) tiles = split_polyphase(target_, factor);
    times_.crop_ms += ms_since(start);

    start = Clock::now();
    if (factor == 1) {
        run(target_, generated_);
    } else {
        // Each tile's output takes its input's place; the input's buffer takes the next.
        PlanarImage out;
        for (PlanarImage& tile : tiles) {
            run(tile, out);
            std::swap(tile, out);
        }
    }
    times_.generator_ms += ms_since(start);

    start = Clock::now();
    if (factor > 1) generated_ = merge_polyphase(tiles, factor);
    to_rgb8_into(generated_, output_norm_, generated_rgb_);
    const PixelBox box = paste_back(frame, generated_rgb_, mask(size), crop_from_frame);
    times_.paste_ms += ms_since(start);
    return box;
}

}  // namespace swaprun::pipeline
