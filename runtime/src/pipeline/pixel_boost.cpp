#include "pipeline/pixel_boost.h"

#include <string>

#include "util/error.h"

namespace swaprun::pipeline {

std::vector<PlanarImage> split_polyphase(const PlanarImage& crop, int factor) {
    if (factor < 1 || crop.width() % factor != 0 || crop.height() % factor != 0 ||
        crop.plane_size() == 0) {
        throw Error(ErrorKind::InvalidArgument, "pixel boost: a " + std::to_string(crop.width()) +
                                                    "x" + std::to_string(crop.height()) +
                                                    " crop cannot be split by " +
                                                    std::to_string(factor));
    }
    const int w = crop.width() / factor;
    const int h = crop.height() / factor;
    std::vector<PlanarImage> tiles;
    tiles.reserve(static_cast<size_t>(factor) * static_cast<size_t>(factor));
    for (int i = 0; i < factor; ++i) {
        for (int j = 0; j < factor; ++j) {
            PlanarImage& tile = tiles.emplace_back(w, h);
            for (int c = 0; c < 3; ++c) {
                for (int y = 0; y < h; ++y) {
                    for (int x = 0; x < w; ++x) {
                        tile.at(c, x, y) = crop.at(c, x * factor + j, y * factor + i);
                    }
                }
            }
        }
    }
    return tiles;
}

PlanarImage merge_polyphase(std::span<const PlanarImage> tiles, int factor) {
    const size_t count =
        factor >= 1 ? static_cast<size_t>(factor) * static_cast<size_t>(factor) : 0;
    if (count == 0 || tiles.size() != count || tiles[0].plane_size() == 0) {
        throw Error(ErrorKind::InvalidArgument, "pixel boost: " + std::to_string(tiles.size()) +
                                                    " sub-images cannot be merged by " +
                                                    std::to_string(factor));
    }
    const int w = tiles[0].width();
    const int h = tiles[0].height();
    for (const PlanarImage& t : tiles) {
        if (t.width() != w || t.height() != h) {
            throw Error(ErrorKind::InvalidArgument, "pixel boost: sub-images differ in size");
        }
    }
    PlanarImage out(w * factor, h * factor);
    for (int i = 0; i < factor; ++i) {
        for (int j = 0; j < factor; ++j) {
            const PlanarImage& tile = tiles[static_cast<size_t>(i * factor + j)];
            for (int c = 0; c < 3; ++c) {
                for (int y = 0; y < h; ++y) {
                    for (int x = 0; x < w; ++x) {
                        out.at(c, x * factor + j, y * factor + i) = tile.at(c, x, y);
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace swaprun::pipeline
