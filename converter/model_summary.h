// Counting and listing what a model description holds: `swapconv --info`.
#pragma once

#include <cstdint>
#include <ostream>

#include "format/model_description.h"

namespace swaprun::convert {

struct ModelStats {
    int64_t parameters = 0;  // elements of the constants the graph reads
    int64_t extras = 0;      // elements of tensors carried for the caller (e.g. the emap)
    int64_t macs = 0;        // multiply-accumulates per run (convolutions and Gemms)
};

ModelStats model_stats(const format::ModelDescription& model);

// Inputs, outputs, extras, the op list with shapes and per-op MACs, and the totals.
void print_model_summary(std::ostream& out, const format::ModelDescription& model);

}  // namespace swaprun::convert
