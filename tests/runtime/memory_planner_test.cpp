#include "plan/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

#include "graph/graph_validation.h"
#include "plan/activation_plan.h"
#include "test_support.h"
#include "util/str_cat.h"

namespace {

using namespace swaprun;
using plan::BufferRequest;

bool live_together(const BufferRequest& a, const BufferRequest& b) {
    return !(a.last < b.first || b.last < a.first);
}

bool overlap(uint64_t a, uint64_t a_bytes, uint64_t b, uint64_t b_bytes) {
    return a < b + b_bytes && b < a + a_bytes;
}

void expect_valid_layout(const std::vector<BufferRequest>& requests,
                         const plan::ArenaLayout& layout) {
    ASSERT_EQ(layout.offsets.size(), requests.size());
    EXPECT_EQ(layout.arena_bytes % 64, 0u);
    for (size_t i = 0; i < requests.size(); ++i) {
        EXPECT_EQ(layout.offsets[i] % 64, 0u);
        EXPECT_LE(layout.offsets[i] + requests[i].bytes, layout.arena_bytes);
        for (size_t j = i + 1; j < requests.size(); ++j) {
            if (!live_together(requests[i], requests[j])) continue;
            EXPECT_FALSE(
                overlap(layout.offsets[i], requests[i].bytes, layout.offsets[j], requests[j].bytes))
                << "buffers " << i << " and " << j << " are live together and overlap";
        }
    }
}

TEST(MemoryPlanner, RandomLifetimesNeverOverlap) {
    std::mt19937 rng(42);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<BufferRequest> requests(1 + rng() % 40);
        uint64_t total = 0, largest = 0;
        for (auto& r : requests) {
            r.bytes = 4 * (1 + rng() % 5000);
            r.first = static_cast<int64_t>(rng() % 30);
            r.last = r.first + static_cast<int64_t>(rng() % 10);
            total += (r.bytes + 63) / 64 * 64;
            largest = std::max(largest, r.bytes);
        }
        const auto layout = plan::pack_buffers(requests);
        expect_valid_layout(requests, layout);
        EXPECT_LE(layout.arena_bytes, total);
        EXPECT_GE(layout.arena_bytes, largest);
    }
}

TEST(MemoryPlanner, ReusesFreedSpaceBestFit) {
    // A (100 KB) dies before C starts; B (40 KB) lives throughout; C (60 KB) fits in A's place.
    const std::vector<BufferRequest> requests = {{100000, 0, 1}, {40000, 0, 3}, {60000, 2, 3}};
    const auto layout = plan::pack_buffers(requests);
    expect_valid_layout(requests, layout);
    EXPECT_EQ(layout.offsets[2], layout.offsets[0]);
    EXPECT_EQ(layout.arena_bytes, (100000 + 63) / 64 * 64 + (40000 + 63) / 64 * 64);
}

// x -> u0 -> u1 -> ... -> u9 (Unary chain): at most two activations are live at once,
// plus the input, which lives for the whole run.
TEST(ActivationPlan, ChainUsesFarLessThanTheSum) {
    testkit::ModelBuilder b;
    uint32_t prev = b.input("x", {1, 16, 32, 32});
    for (int i = 0; i < 10; ++i) {
        const uint32_t next = b.activation(str_cat("u", i), {1, 16, 32, 32});
        b.op(OpType::Unary, str_cat("u", i), {prev}, next).attributes["op"] = testkit::ints({1});
        prev = next;
    }
    b.output(prev);
    const auto graph = graph::validate_graph(b.desc(), "chain");
    const auto plan = plan::plan_activations(b.desc(), graph);
    const uint64_t one = 16 * 32 * 32 * 4;
    EXPECT_EQ(plan.unshared_bytes, 11 * one);
    EXPECT_EQ(plan.arena_bytes, 3 * one);
    EXPECT_LT(plan.arena_bytes, plan.unshared_bytes);
}

// Recomputes lifetimes independently and checks the plan of the small generator.
TEST(ActivationPlan, LiveTensorsNeverOverlap) {
    testkit::ModelBuilder b = testkit::small_generator();
    const auto& d = b.desc();
    const auto graph = graph::validate_graph(d, "gen");
    const auto plan = plan::plan_activations(d, graph);
    const auto end = static_cast<int64_t>(d.ops.size());
    std::vector<BufferRequest> lives(d.tensors.size(), BufferRequest{0, 0, -2});
    for (uint32_t i : d.inputs) lives[i] = {0, -1, end};
    for (size_t k = 0; k < d.ops.size(); ++k) {
        lives[d.ops[k].outputs[0]] = {0, static_cast<int64_t>(k), static_cast<int64_t>(k)};
    }
    for (size_t k = 0; k < d.ops.size(); ++k) {
        for (uint32_t i : d.ops[k].inputs) {
            if (i != kNoTensor) lives[i].last = std::max(lives[i].last, static_cast<int64_t>(k));
        }
    }
    for (uint32_t o : d.outputs) lives[o].last = end;
    for (size_t t = 0; t < d.tensors.size(); ++t) {
        const bool planned = d.tensors[t].role == format::TensorRole::Activation ||
                             d.tensors[t].role == format::TensorRole::Input;
        EXPECT_EQ(plan.tensor_offset[t] != plan::kNoSlot, planned) << d.tensors[t].name;
    }
    for (size_t i = 0; i < d.tensors.size(); ++i) {
        for (size_t j = i + 1; j < d.tensors.size(); ++j) {
            if (plan.tensor_offset[i] == plan::kNoSlot || plan.tensor_offset[j] == plan::kNoSlot) {
                continue;
            }
            if (!live_together(lives[i], lives[j])) continue;
            EXPECT_FALSE(overlap(plan.tensor_offset[i], d.tensors[i].elements() * 4,
                                 plan.tensor_offset[j], d.tensors[j].elements() * 4))
                << d.tensors[i].name << " and " << d.tensors[j].name;
        }
    }
    EXPECT_LT(plan.arena_bytes, plan.unshared_bytes);
}

// A folded op (its reader reads its input in its place) gets no slot, and its input
// stays live, apart from every other tensor, until that reader has run.
TEST(ActivationPlan, FoldedOpHasNoSlotAndItsInputLivesToItsReader) {
    testkit::ModelBuilder b;
    const uint32_t x = b.input("x", {1, 4, 8, 8});
    const uint32_t a = b.activation("a", {1, 4, 8, 8});
    b.op(OpType::Unary, "relu", {x}, a).attributes["op"] = testkit::ints({1});
    const uint32_t up = b.activation("up", {1, 4, 16, 16});
    auto& resize = b.op(OpType::Resize, "up", {a}, up);
    resize.attributes["mode"] = testkit::ints({1});
    resize.attributes["scales"] = testkit::floats({2.0f, 2.0f});
    const uint32_t y = b.activation("y", {1, 4, 16, 16});
    b.op(OpType::Unary, "neg", {up}, y).attributes["op"] = testkit::ints({7});
    b.output(y);
    const auto graph = graph::validate_graph(b.desc(), "m");
    const auto plain = plan::plan_activations(b.desc(), graph);
    const auto folded = plan::plan_activations(b.desc(), graph, {false, true, false});
    EXPECT_NE(plain.tensor_offset[up], plan::kNoSlot);
    EXPECT_EQ(folded.tensor_offset[up], plan::kNoSlot);
    // "a" is read by the op after the folded one: it must not share bytes with "y".
    const uint64_t a_bytes = 4 * 8 * 8 * 4, y_bytes = 4 * 16 * 16 * 4;
    EXPECT_FALSE(overlap(folded.tensor_offset[a], a_bytes, folded.tensor_offset[y], y_bytes));
    EXPECT_LT(folded.arena_bytes, plain.arena_bytes);
}

TEST(ActivationPlan, ReshapeAliasesOnlyWhenItsInputDies) {
    testkit::ModelBuilder b;
    const uint32_t x = b.input("x", {2, 8});
    const uint32_t a = b.activation("a", {2, 8});
    b.op(OpType::Unary, "relu", {x}, a).attributes["op"] = testkit::ints({1});
    const uint32_t r = b.activation("r", {16});
    b.op(OpType::Reshape, "flatten", {a}, r);
    const uint32_t y = b.activation("y", {16});
    b.op(OpType::Unary, "neg", {r}, y).attributes["op"] = testkit::ints({7});
    b.output(y);
    {
        const auto plan = plan::plan_activations(b.desc(), graph::validate_graph(b.desc(), "m"));
        EXPECT_EQ(plan.tensor_offset[a], plan.tensor_offset[r]);
        EXPECT_NE(plan.tensor_offset[y], plan.tensor_offset[r]);
    }
    // "a" is read again after the Reshape: no aliasing.
    const uint32_t z = b.activation("z", {2, 8});
    b.op(OpType::Unary, "abs", {a}, z).attributes["op"] = testkit::ints({8});
    b.output(z);
    const auto plan = plan::plan_activations(b.desc(), graph::validate_graph(b.desc(), "m"));
    EXPECT_NE(plan.tensor_offset[a], plan.tensor_offset[r]);
}

}  // namespace
