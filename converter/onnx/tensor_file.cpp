#include "converter/onnx/tensor_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "util/error.h"

namespace swaprun::onnx {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Minimal .npy reader (format versions 1-3): '<f4', '<f8' or '<i8', C order.
Tensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& path) {
    auto fail = [&](const std::string& why) -> Tensor {
        throw Error(ErrorKind::Format, path + ": not a readable .npy file: " + why);
    };
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
        return fail("missing the \\x93NUMPY magic");
    }
    const uint8_t major = bytes[6];
    uint64_t header_len = 0, header_start = 0;
    if (major == 1) {
        header_len = bytes[8] | (bytes[9] << 8);
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) return fail("truncated header");
        header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) |
                     (static_cast<uint64_t>(bytes[11]) << 24);
        header_start = 12;
    } else {
        return fail("unknown format version " + std::to_string(major));
    }
    if (header_start + header_len > bytes.size()) return fail("header runs past the end");
    std::string header(reinterpret_cast<const char*>(bytes.data() + header_start), header_len);
    auto value_of = [&](const std::string& key) -> std::string {
        auto at = header.find("'" + key + "'");
        if (at == std::string::npos) fail("header has no '" + key + "'");
        auto colon = header.find(':', at);
        if (colon == std::string::npos) fail("header entry '" + key + "' has no value");
        auto value = header.find_first_not_of(' ', colon + 1);
        return value == std::string::npos ? std::string() : header.substr(value);
    };
    std::string descr = value_of("descr");
    Tensor t;
    int size = 0;
    auto starts = [](const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; };
    if (starts(descr, "'<f4'")) {
        t.element_type = static_cast<int32_t>(ElementType::Float);
        size = 4;
    } else if (starts(descr, "'<f8'")) {
        t.element_type = static_cast<int32_t>(ElementType::Double);
        size = 8;
    } else if (starts(descr, "'<i8'")) {
        t.element_type = static_cast<int32_t>(ElementType::Int64);
        size = 8;
    } else {
        return fail("unsupported dtype " + descr.substr(0, descr.find(',')) +
                    " (float32, float64 and int64 are read)");
    }
    if (!starts(value_of("fortran_order"), "False")) return fail("Fortran order is not supported");
    std::string shape = value_of("shape");
    auto open = shape.find('('), close = shape.find(')');
    if (open == std::string::npos || close == std::string::npos || close < open) {
        return fail("malformed shape");
    }
    int64_t count = 1;
    std::string dims = shape.substr(open + 1, close - open - 1);
    size_t pos = 0;
    while (pos < dims.size()) {
        while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
        if (pos >= dims.size()) break;
        size_t end = pos;
        while (end < dims.size() && dims[end] >= '0' && dims[end] <= '9') ++end;
        if (end == pos || end - pos > 12) return fail("malformed shape '" + dims + "'");
        int64_t d = std::stoll(dims.substr(pos, end - pos));
        if (t.dims.size() >= 8) return fail("more than 8 dimensions");
        t.dims.push_back(d);
        if (d > 0 && count > (int64_t{1} << 34) / d) return fail("too many elements");
        count *= d;
        pos = end;
    }
    const uint64_t data_start = header_start + header_len;
    if (bytes.size() - data_start != static_cast<uint64_t>(count) * size) {
        return fail("holds " + std::to_string(bytes.size() - data_start) +
                    " data bytes, its shape needs " + std::to_string(count * size));
    }
    const uint8_t* p = bytes.data() + data_start;
    if (size == 4) {
        t.floats.resize(count);
        std::memcpy(t.floats.data(), p, count * 4);
    } else if (t.element_type == static_cast<int32_t>(ElementType::Double)) {
        for (int64_t i = 0; i < count; ++i) {
            double d;
            std::memcpy(&d, p + i * 8, 8);
            t.floats.push_back(static_cast<float>(d));
        }
    } else {
        t.ints.resize(count);
        std::memcpy(t.ints.data(), p, count * 8);
    }
    return t;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error(ErrorKind::Io, path + ": cannot open: " + std::strerror(errno));
    const auto size = static_cast<std::streamoff>(in.tellg());
    if (size < 0) throw Error(ErrorKind::Io, path + ": cannot determine the file size");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
        throw Error(ErrorKind::Io, path + ": read failed");
    }
    return bytes;
}

Tensor read_tensor_file(const std::string& path) {
    auto bytes = read_file_bytes(path);
    if (ends_with(path, ".npy")) return parse_npy(bytes, path);
    if (ends_with(path, ".pb")) return decode_tensor(bytes, path);
    throw Error(ErrorKind::InvalidArgument,
                path + ": unknown tensor file type (expected .npy or .pb)");
}

}  // namespace swaprun::onnx
