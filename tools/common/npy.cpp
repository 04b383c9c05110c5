#include "tools/common/npy.h"

#include <cstring>

#include "platform/atomic_file.h"
#include "platform/file_mapping.h"
#include "util/checked_math.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/str_cat.h"

namespace swaprun::tools {
namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// numpy itself allows 64 dimensions; nothing here needs more than 8, but a
// reader of arbitrary arrays should not be stricter than necessary.
constexpr size_t kMaxDims = limits::kMaxNpyDims;

// The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 128, 128), }
// This accepts exactly that grammar: string keys; string, True/False or tuple-of-
// integers values; optional trailing commas; spaces and newlines between tokens.
class HeaderParser {
  public:
    HeaderParser(std::string_view text, const std::string& label) : text_(text), label_(label) {}

    void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
        bool have_descr = false, have_fortran = false, have_shape = false;
        expect('{');
        while (true) {
            skip_space();
            if (peek() == '}') break;
            const std::string key = string_literal();
            expect(':');
            if (key == "descr") {
                if (have_descr) fail("'descr' appears twice");
                descr = string_literal();
                have_descr = true;
            } else if (key == "fortran_order") {
                if (have_fortran) fail("'fortran_order' appears twice");
                fortran = boolean();
                have_fortran = true;
            } else if (key == "shape") {
                if (have_shape) fail("'shape' appears twice");
                shape = tuple();
                have_shape = true;
            } else {
                fail(str_cat("unexpected key '", key, "'"));
            }
            skip_space();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() != '}') fail("expected ',' or '}'");
        }
        ++pos_;
        skip_space();
        if (pos_ != text_.size()) fail("unexpected text after the header dict");
        if (!have_descr || !have_fortran || !have_shape) {
            fail("the header lacks 'descr', 'fortran_order' or 'shape'");
        }
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorKind::Format,
                    str_cat(label_, ": malformed .npy header at character ", pos_, ": ", what));
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                       text_[pos_] == '\t' || text_[pos_] == '\r')) {
            ++pos_;
        }
    }
    void expect(char c) {
        skip_space();
        if (peek() != c) fail(str_cat("expected '", c, "'"));
        ++pos_;
    }
    std::string string_literal() {
        skip_space();
        const char quote = peek();
        if (quote != '\'' && quote != '"') fail("expected a quoted string");
        const size_t end = text_.find(quote, pos_ + 1);
        if (end == std::string_view::npos) fail("unterminated string");
        std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
        return s;
    }
    bool boolean() {
        skip_space();
        if (text_.substr(pos_, 4) == "True") {
            pos_ += 4;
            return true;
        }
        if (text_.substr(pos_, 5) == "False") {
            pos_ += 5;
            return false;
        }
        fail("expected True or False");
    }
    std::vector<int64_t> tuple() {
        expect('(');
        std::vector<int64_t> dims;
        while (true) {
            skip_space();
            if (peek() == ')') break;
            if (dims.size() == kMaxDims) fail("too many dimensions");
            dims.push_back(integer());
            skip_space();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() != ')') fail("expected ',' or ')'");
        }
        ++pos_;
        return dims;
    }
    int64_t integer() {
        int64_t v = 0;
        size_t digits = 0;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            if (++digits > 15) fail("dimension too large");
            v = v * 10 + (text_[pos_] - '0');
            ++pos_;
        }
        // numpy may write 'L' after integers (Python 2 longs).
        if (digits > 0 && peek() == 'L') ++pos_;
        if (digits == 0) fail("expected a non-negative integer");
        return v;
    }

    std::string_view text_;
    const std::string& label_;
    size_t pos_ = 0;
};

[[noreturn]] void fail(const std::string& label, const std::string& what) {
    throw Error(ErrorKind::Format, str_cat(label, ": ", what));
}

}  // namespace

NpyArray parse_npy(std::span<const uint8_t> bytes, const std::string& label) {
    if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
        fail(label, "not a .npy file (no \\x93NUMPY signature)");
    }
    const uint8_t major = bytes[6];
    uint64_t header_len = 0, header_at = 0;
    if (major == 1) {
        header_len = uint64_t{bytes[8]} | uint64_t{bytes[9]} << 8;
        header_at = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) fail(label, "truncated .npy header");
        header_len = uint64_t{bytes[8]} | uint64_t{bytes[9]} << 8 | uint64_t{bytes[10]} << 16 |
                     uint64_t{bytes[11]} << 24;
        header_at = 12;
    } else {
        fail(label, str_cat(".npy format version ", int{major}, " is not supported (1 to 3 are)"));
    }
    if (header_len > bytes.size() - header_at) {
        fail(label,
             str_cat("truncated: the .npy header claims ", header_len, " bytes, the file has ",
                     bytes.size() - header_at, " after the signature"));
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + header_at),
                                static_cast<size_t>(header_len));
    std::string descr;
    bool fortran = false;
    NpyArray array;
    HeaderParser(text, label).parse(descr, fortran, array.shape);
    if (descr != "<f4") {
        fail(label, str_cat("holds '", descr,
                            "' values; float32 little-endian ('<f4') is required (convert with "
                            "array.astype(numpy.float32))"));
    }
    if (fortran) fail(label, "is in Fortran order; C order is required");

    uint64_t elements = 1;
    for (int64_t d : array.shape) {
        const auto product = checked_mul(elements, static_cast<uint64_t>(d));
        if (!product || *product > (uint64_t{1} << 40)) fail(label, "the shape is too large");
        elements = *product;
    }
    const uint64_t data_at = header_at + header_len;
    const uint64_t data_bytes = bytes.size() - data_at;
    if (data_bytes != elements * sizeof(float)) {
        fail(label, str_cat("shape ", shape_string(array.shape), " needs ",
                            elements * sizeof(float), " bytes of data, the file has ", data_bytes));
    }
    array.values.resize(static_cast<size_t>(elements));
    if (elements > 0) std::memcpy(array.values.data(), bytes.data() + data_at, data_bytes);
    return array;
}

NpyArray read_npy(const std::string& path) {
    const platform::FileMapping file = platform::FileMapping::open(path);
    return parse_npy(std::span<const uint8_t>(file.data(), static_cast<size_t>(file.size())), path);
}

std::vector<uint8_t> npy_header(std::span<const int64_t> shape) {
    std::string dims;
    for (int64_t d : shape) dims += str_cat(d, ", ");
    if (shape.size() > 1) dims.resize(dims.size() - 2);  // "(1, 2)"; "(5,)" keeps its comma
    if (shape.size() == 1) dims.resize(dims.size() - 1);
    std::string dict = str_cat("{'descr': '<f4', 'fortran_order': False, 'shape': (", dims, "), }");
    // Pad with spaces and end with a newline so that the data starts 64-byte aligned.
    const size_t unpadded = 10 + dict.size() + 1;
    dict.append(align_up(unpadded, 64) - unpadded, ' ');
    dict.push_back('\n');
    std::vector<uint8_t> out(kMagic, kMagic + sizeof(kMagic));
    out.push_back(1);
    out.push_back(0);
    out.push_back(static_cast<uint8_t>(dict.size() & 0xff));
    out.push_back(static_cast<uint8_t>(dict.size() >> 8));
    out.insert(out.end(), dict.begin(), dict.end());
    return out;
}

void write_npy(const std::string& path, std::span<const int64_t> shape,
               std::span<const float> values) {
    const std::vector<uint8_t> header = npy_header(shape);
    platform::AtomicFile file(path);
    file.write(header.data(), header.size());
    file.write(values.data(), values.size_bytes());
    file.commit();
}

}  // namespace swaprun::tools
