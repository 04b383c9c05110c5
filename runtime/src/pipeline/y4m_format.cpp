#include "pipeline/y4m_format.h"

#include <charconv>
#include <string_view>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

constexpr std::string_view kMagic = "YUV4MPEG2";

[[noreturn]] void bad_header(const std::string& what) {
    throw Error(ErrorKind::Format, "Y4M stream header: " + what);
}

// A tag's text for messages: printable, and short even when the input is not.
std::string quoted(std::string_view token) {
    std::string out = "'";
    for (char c : token.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (token.size() > 40) out += "...";
    return out + "'";
}

int64_t parse_number(std::string_view text, std::string_view token) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text[0] == '-' ||
        text[0] == '+') {
        bad_header(str_cat("tag ", quoted(token), " is not a non-negative integer"));
    }
    return value;
}

Y4mRatio parse_ratio(std::string_view text, std::string_view token) {
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        bad_header(str_cat("tag ", quoted(token), " is not a ratio N:D"));
    }
    return {parse_number(text.substr(0, colon), token),
            parse_number(text.substr(colon + 1), token)};
}

Y4mChroma parse_chroma(std::string_view name, std::string_view token) {
    struct Known {
        std::string_view name;
        Y4mChroma chroma;
    };
    static constexpr Known kKnown[] = {
        {"420jpeg", Y4mChroma::C420jpeg},   {"420mpeg2", Y4mChroma::C420mpeg2},
        {"420paldv", Y4mChroma::C420paldv}, {"420", Y4mChroma::C420},
        {"422", Y4mChroma::C422},           {"444", Y4mChroma::C444},
        {"mono", Y4mChroma::Mono}};
    for (const Known& k : kKnown) {
        if (k.name == name) return k.chroma;
    }
    throw Error(ErrorKind::Unsupported,
                str_cat("Y4M stream header: sampling ", quoted(token),
                        " is not supported (8-bit C420jpeg, C420mpeg2, C420paldv, C420, C422, "
                        "C444 and Cmono are)"));
}

int parse_size(std::string_view text, std::string_view token, int limit, const char* what) {
    const int64_t value = parse_number(text, token);
    if (value == 0) bad_header(str_cat(what, " is zero"));
    if (value > limit) {
        throw Error(ErrorKind::InvalidArgument, str_cat("Y4M stream header: ", what, " ", value,
                                                        " is over the limit of ", limit));
    }
    return static_cast<int>(value);
}

}  // namespace

Y4mPlaneSizes y4m_plane_sizes(int width, int height, Y4mChroma chroma) {
    Y4mPlaneSizes sizes{width, height, 0, 0};
    switch (chroma) {
        case Y4mChroma::C420jpeg:
        case Y4mChroma::C420mpeg2:
        case Y4mChroma::C420paldv:
        case Y4mChroma::C420:
            sizes.chroma_width = (width + 1) / 2;
            sizes.chroma_height = (height + 1) / 2;
            break;
        case Y4mChroma::C422:
            sizes.chroma_width = (width + 1) / 2;
            sizes.chroma_height = height;
            break;
        case Y4mChroma::C444:
            sizes.chroma_width = width;
            sizes.chroma_height = height;
            break;
        case Y4mChroma::Mono:
            break;
    }
    return sizes;
}

uint64_t y4m_frame_bytes(int width, int height, Y4mChroma chroma) {
    const Y4mPlaneSizes s = y4m_plane_sizes(width, height, chroma);
    return uint64_t(s.luma_width) * uint64_t(s.luma_height) +
           2 * uint64_t(s.chroma_width) * uint64_t(s.chroma_height);
}

const char* y4m_chroma_name(Y4mChroma chroma) {
    switch (chroma) {
        case Y4mChroma::C420jpeg:
            return "420jpeg";
        case Y4mChroma::C420mpeg2:
            return "420mpeg2";
        case Y4mChroma::C420paldv:
            return "420paldv";
        case Y4mChroma::C420:
            return "420";
        case Y4mChroma::C422:
            return "422";
        case Y4mChroma::C444:
            return "444";
        case Y4mChroma::Mono:
            return "mono";
    }
    return "?";
}

Y4mHeader parse_y4m_header(const std::string& line, const Y4mLimits& limits) {
    const std::string_view text(line);
    if (text.substr(0, kMagic.size()) != kMagic ||
        (text.size() > kMagic.size() && text[kMagic.size()] != ' ')) {
        throw Error(ErrorKind::Format, str_cat("not a Y4M (YUV4MPEG2) stream: it starts with ",
                                               quoted(text.substr(0, 16))));
    }
    Y4mHeader header;
    bool has_width = false, has_height = false;
    size_t pos = kMagic.size();
    while (pos < text.size()) {
        if (text[pos] == ' ') {
            ++pos;
            continue;
        }
        const size_t end = std::min(text.find(' ', pos), text.size());
        const std::string_view token = text.substr(pos, end - pos);
        pos = end;
        const std::string_view value = token.substr(1);
        switch (token[0]) {
            case 'W':
                if (has_width) bad_header("width (W) given twice");
                header.width = parse_size(value, token, limits.max_width, "width");
                has_width = true;
                break;
            case 'H':
                if (has_height) bad_header("height (H) given twice");
                header.height = parse_size(value, token, limits.max_height, "height");
                has_height = true;
                break;
            case 'C':
                header.chroma = parse_chroma(value, token);
                header.has_chroma_tag = true;
                break;
            case 'F':
                header.frame_rate = parse_ratio(value, token);
                header.has_frame_rate = true;
                break;
            case 'A':
                header.aspect = parse_ratio(value, token);
                header.has_aspect = true;
                break;
            case 'I':
                if (value.size() != 1 ||
                    std::string_view("ptbm?").find(value[0]) == std::string_view::npos) {
                    bad_header(str_cat("interlacing tag ", quoted(token),
                                       " is not one of Ip, It, Ib, Im, I?"));
                }
                header.interlacing = value[0];
                break;
            case 'X':
                if (value == "COLORRANGE=FULL") header.full_range = true;
                header.extensions.emplace_back(token);
                break;
            default:
                // Other tags are kept and written back, as for X extensions: the format
                // reserves no other letters, and readers skip what they do not know.
                header.extensions.emplace_back(token);
        }
    }
    if (!has_width || !has_height) bad_header("the width (W) or height (H) tag is missing");
    const uint64_t frame_bytes = y4m_frame_bytes(header.width, header.height, header.chroma);
    if (frame_bytes > limits.max_frame_bytes) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("Y4M stream header: a ", header.width, "x", header.height, " C",
                            y4m_chroma_name(header.chroma), " frame is ", frame_bytes,
                            " bytes, over the limit of ", limits.max_frame_bytes));
    }
    return header;
}

std::string format_y4m_header(const Y4mHeader& h) {
    std::string out = str_cat(kMagic, " W", h.width, " H", h.height);
    if (h.has_frame_rate)
        out += str_cat(" F", h.frame_rate.numerator, ":", h.frame_rate.denominator);
    if (h.interlacing != 0) out += str_cat(" I", h.interlacing);
    if (h.has_aspect) out += str_cat(" A", h.aspect.numerator, ":", h.aspect.denominator);
    if (h.has_chroma_tag) out += str_cat(" C", y4m_chroma_name(h.chroma));
    for (const std::string& x : h.extensions) out += " " + x;
    return out + "\n";
}

}  // namespace swaprun::pipeline
