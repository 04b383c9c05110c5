// Writes the files the swaprun CLI tests use into the directory given as argv[1]:
// model.swpk (the small generator), target.npy, source.npy, and wrong_shape.npy.
#include <cstdio>
#include <exception>

#include "format/swpk_io.h"
#include "test_support.h"
#include "tools/common/npy.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: runtime_cli_fixture DIR\n");
        return 2;
    }
    try {
        using namespace swaprun;
        const std::string dir = argv[1];
        testkit::ModelBuilder b = testkit::small_generator();
        format::write_swpk(b.desc(), dir + "/model.swpk");
        const std::vector<int64_t> target_shape = {1, 3, 8, 8};
        const std::vector<int64_t> source_shape = {1, 6};
        const std::vector<int64_t> wrong_shape = {1, 3, 8, 9};
        tools::write_npy(dir + "/target.npy", target_shape,
                         testkit::random_values(192, 1, 0.0f, 1.0f));
        tools::write_npy(dir + "/source.npy", source_shape, testkit::random_values(6, 2));
        tools::write_npy(dir + "/wrong_shape.npy", wrong_shape, testkit::random_values(216, 3));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "runtime_cli_fixture: %s\n", e.what());
        return 1;
    }
}
