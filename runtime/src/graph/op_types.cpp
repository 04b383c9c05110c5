#include "graph/op_types.h"

namespace swaprun {

std::optional<std::string_view> op_type_name(uint32_t type) {
    switch (static_cast<OpType>(type)) {
        case OpType::Conv2d:
            return "Conv2d";
        case OpType::Adain:
            return "Adain";
        case OpType::Gemm:
            return "Gemm";
        case OpType::Resize:
            return "Resize";
        case OpType::Binary:
            return "Binary";
        case OpType::Unary:
            return "Unary";
        case OpType::ReduceMean:
            return "ReduceMean";
        case OpType::Pad:
            return "Pad";
        case OpType::Reshape:
            return "Reshape";
        case OpType::Concat:
            return "Concat";
        case OpType::Transpose:
            return "Transpose";
        case OpType::Pool2d:
            return "Pool2d";
    }
    return std::nullopt;
}

}  // namespace swaprun
