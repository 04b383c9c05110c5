/* The pipeline C API used from C99 (this file is compiled as C99 with -pedantic): the
 * sequence an application runs, returning the number of faces swapped or -1. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "swaprun/pipeline.h"

int swap_in_c(const char* models_dir, const uint8_t* rgb, int32_t width, int32_t height,
              const float* source_landmarks, uint8_t* out) {
    swr_pipeline_models models = {0};
    swr_pipeline_options options = {0};
    swr_pipeline* pipeline = NULL;
    int32_t swapped = 0;
    int32_t i;
    models.struct_size = sizeof models;
    models.models_dir = models_dir;
    options.struct_size = sizeof options;
    options.threads = 1;
    if (swr_pipeline_create(&models, &options, &pipeline) != SWR_OK) {
        fprintf(stderr, "create: %s\n", swr_last_error());
        return -1;
    }
    if (swr_pipeline_set_source(pipeline, rgb, width, height, (size_t)width * 3,
                                source_landmarks) != SWR_OK ||
        swr_pipeline_process(pipeline, rgb, width, height, (size_t)width * 3, out,
                             (size_t)width * 3, NULL, 0) != SWR_OK) {
        fprintf(stderr, "%s\n", swr_last_error());
        swr_pipeline_release(pipeline);
        return -1;
    }
    for (i = 0; i < swr_pipeline_face_count(pipeline); ++i) {
        swr_face face;
        if (swr_pipeline_face(pipeline, i, &face) == SWR_OK && face.swapped) ++swapped;
    }
    swr_pipeline_release(pipeline);
    return swapped;
}
