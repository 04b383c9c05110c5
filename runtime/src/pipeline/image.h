// The pipeline's two image types: interleaved RGB8 frames (what files and cameras give)
// and planar float CHW images (what the generator and the detector take and give).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace swaprun::pipeline {

// Interleaved 8-bit RGB, rows contiguous with no padding (stride = 3 * width).
class Image {
  public:
    Image() = default;
    // A black image. Throws swaprun::Error (InvalidArgument) for a non-positive size.
    Image(int width, int height);

    int width() const { return width_; }
    int height() const { return height_; }
    bool empty() const { return pixels_.empty(); }
    size_t stride() const { return static_cast<size_t>(width_) * 3; }
    size_t size_bytes() const { return pixels_.size(); }

    uint8_t* data() { return pixels_.data(); }
    const uint8_t* data() const { return pixels_.data(); }
    uint8_t* pixel(int x, int y) { return pixels_.data() + offset(x, y); }
    const uint8_t* pixel(int x, int y) const { return pixels_.data() + offset(x, y); }

  private:
    size_t offset(int x, int y) const {
        return (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
    }

    int width_ = 0;
    int height_ = 0;
    std::vector<uint8_t> pixels_;
};

// Tags the constructor for a caller that writes every value itself: zeroing megabytes
// first costs a visible part of a video frame's time.
struct Uninitialized {};
inline constexpr Uninitialized kUninitialized{};

namespace detail {
// Default-initializes (leaves uninitialized) what std::vector would value-initialize.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    using std::allocator<T>::allocator;
    // Only the no-argument form: std::allocator_traits constructs from values by
    // placement new without it.
    template <typename U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
};
}  // namespace detail

// Three float planes (R, G, B), each height rows of width values: a 1x3xHxW tensor.
class PlanarImage {
  public:
    PlanarImage() = default;
    // All zeros. Throws swaprun::Error (InvalidArgument) for a non-positive size.
    PlanarImage(int width, int height);
    // Values unset: the caller writes all 3 * width * height of them.
    PlanarImage(int width, int height, Uninitialized);

    int width() const { return width_; }
    int height() const { return height_; }
    size_t plane_size() const { return static_cast<size_t>(width_) * static_cast<size_t>(height_); }

    float* data() { return values_.data(); }
    const float* data() const { return values_.data(); }
    float* plane(int channel) {
        return values_.data() + static_cast<size_t>(channel) * plane_size();
    }
    const float* plane(int channel) const {
        return values_.data() + static_cast<size_t>(channel) * plane_size();
    }
    float& at(int channel, int x, int y) {
        return plane(
            channel)[static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)];
    }
    float at(int channel, int x, int y) const {
        return plane(
            channel)[static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)];
    }

  private:
    int width_ = 0;
    int height_ = 0;
    std::vector<float, detail::DefaultInitAllocator<float>> values_;
};

}  // namespace swaprun::pipeline
