// Helpers shared by the runtime tests: building model descriptions with owned
// constant data, temporary directories, seeded random values.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "format/model_description.h"

namespace swaprun::testkit {

std::vector<float> random_values(size_t count, uint32_t seed, float low = -1.0f, float high = 1.0f);

format::Attribute ints(std::vector<int64_t> values);
format::Attribute floats(std::vector<float> values);

// Builds a ModelDescription whose constant data it owns. Not copyable: the
// description's spans point into this object's storage.
class ModelBuilder {
  public:
    ModelBuilder() = default;
    ModelBuilder(const ModelBuilder&) = delete;
    ModelBuilder& operator=(const ModelBuilder&) = delete;
    ModelBuilder(ModelBuilder&&) = default;

    uint32_t input(const std::string& name, std::vector<int64_t> shape);
    uint32_t activation(const std::string& name, std::vector<int64_t> shape);
    uint32_t constant(const std::string& name, std::vector<int64_t> shape,
                      std::vector<float> values);
    // A constant of seeded random values in [-1, 1).
    uint32_t random_constant(const std::string& name, std::vector<int64_t> shape, uint32_t seed);
    uint32_t extra(const std::string& name, std::vector<int64_t> shape, std::vector<float> values);

    // Appends an op writing `output`; the reference stays valid until the next op().
    format::OpDescription& op(OpType type, const std::string& name, std::vector<uint32_t> inputs,
                              uint32_t output);
    void output(uint32_t tensor) { desc_.outputs.push_back(tensor); }
    void metadata(const std::string& key, const std::string& value) { desc_.metadata[key] = value; }

    format::ModelDescription& desc() { return desc_; }
    const format::ModelDescription& desc() const { return desc_; }

  private:
    uint32_t add(const std::string& name, format::TensorRole role, std::vector<int64_t> shape);

    std::deque<std::vector<float>> storage_;  // deque: element addresses are stable
    format::ModelDescription desc_;
};

// A small generator-like graph using every role and several op types:
//   target [1,3,8,8] -Pad(reflect 1)-> Conv3x3(3->4, LeakyRelu) -> Adain(scale/shift
//   from Gemm(source [1,6] x [6,8]), residual-free, Relu) -> Resize x2 -> Conv1x1(4->3)
//   -> Unary(TanhUnit) = output [1,3,16,16]; plus an extra tensor "emap" and metadata.
ModelBuilder small_generator();

// One 3x3 convolution x [1, 700, 24, 24] -> y [1, 5, 24, 24], zero padding 1, seeded
// weights: a Winograd layer of one pass whose transformed weights the CPU keeps unless
// asked for low memory (kernels::ConvOptions::low_memory).
ModelBuilder wide_conv();

// A directory under the system temp dir, removed with its contents at the end.
class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }
    // Names of the files now in the directory.
    std::vector<std::string> entries() const;

  private:
    std::filesystem::path path_;
};

std::vector<uint8_t> read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

// Bytes in a 64-byte aligned buffer (what SwpkFile::from_memory requires).
class AlignedBytes {
  public:
    explicit AlignedBytes(const std::vector<uint8_t>& bytes);
    const uint8_t* data() const { return storage_.data() + offset_; }
    uint8_t* data() { return storage_.data() + offset_; }
    uint64_t size() const { return size_; }

  private:
    std::vector<uint8_t> storage_;
    size_t offset_ = 0;
    uint64_t size_ = 0;
};

}  // namespace swaprun::testkit
