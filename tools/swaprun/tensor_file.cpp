#include "tools/swaprun/tensor_file.h"

#include "util/error.h"
#include "util/str_cat.h"

#if SWAPRUN_HAVE_ONNX_TENSOR_FILE
#include "converter/onnx/tensor_file.h"
#endif

namespace swaprun::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

tools::NpyArray load_pb(const std::string& path) {
#if SWAPRUN_HAVE_ONNX_TENSOR_FILE
    onnx::Tensor t = onnx::read_tensor_file(path);
    // The reader widens every floating type to float32, which is what the model
    // computes in (the converter made a float16 or double graph a float32 one), so
    // ONNX test data of any floating type can be fed as it is.
    if (!onnx::is_floating(t.element_type)) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(path, ": holds ", onnx::element_type_name(t.element_type),
                            " values; floating-point values are required"));
    }
    int64_t elements = 1;
    for (int64_t d : t.dims) elements = d < 0 ? -1 : elements * d;
    if (elements < 0 || t.floats.size() != static_cast<uint64_t>(elements)) {
        throw Error(ErrorKind::Format, str_cat(path, ": shape ", shape_string(t.dims), " but ",
                                               t.floats.size(), " values"));
    }
    tools::NpyArray array;
    array.shape = std::move(t.dims);
    array.values = std::move(t.floats);
    return array;
#else
    throw Error(ErrorKind::Unsupported,
                str_cat(path,
                        ": .pb (ONNX TensorProto) inputs need the ONNX reader, which this "
                        "build lacks; use .npy"));
#endif
}

}  // namespace

tools::NpyArray load_tensor_file(const std::string& path) {
    if (ends_with(path, ".pb")) return load_pb(path);
    return tools::read_npy(path);
}

}  // namespace swaprun::cli
