/* swap_face: puts the face of one image onto the faces of another with the face
 * pipeline's C API, and writes the result.
 *
 *   swap_face MODELS_DIR SOURCE_IMAGE TARGET_IMAGE OUTPUT.png
 *
 * MODELS_DIR holds the detector, recognizer and swapper (see swr_pipeline_models).
 * Images are read with stb_image (PNG, JPEG, BMP, ...), written as PNG. */
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "swaprun/pipeline.h"

/* Reports a failed call with the library's message and returns 1. */
static int failed(const char* what) {
    fprintf(stderr, "swap_face: %s: %s\n", what, swr_last_error());
    return 1;
}

static int swap(const char* models_dir, const char* source_path, const char* target_path,
                const char* output_path) {
    int status = 1;
    int source_w = 0, source_h = 0, target_w = 0, target_h = 0, channels = 0;
    unsigned char* source = NULL;
    unsigned char* target = NULL;
    swr_pipeline* pipeline = NULL;
    swr_pipeline_models models = {0};
    swr_pipeline_options options = {0};

    source = stbi_load(source_path, &source_w, &source_h, &channels, 3);
    target = stbi_load(target_path, &target_w, &target_h, &channels, 3);
    if (source == NULL || target == NULL) {
        fprintf(stderr, "swap_face: cannot read %s: %s\n",
                source == NULL ? source_path : target_path, stbi_failure_reason());
        goto done;
    }

    models.struct_size = sizeof models;
    models.models_dir = models_dir;
    options.struct_size = sizeof options; /* every other field 0: the defaults */
    if (swr_pipeline_create(&models, &options, &pipeline) != SWR_OK) {
        status = failed("loading the models");
        goto done;
    }
    /* The source face once (the most confident detection); then any number of frames. */
    if (swr_pipeline_set_source(pipeline, source, source_w, source_h, (size_t)source_w * 3, NULL) !=
        SWR_OK) {
        status = failed(source_path);
        goto done;
    }
    /* In place: the target image becomes the output. */
    if (swr_pipeline_process(pipeline, target, target_w, target_h, (size_t)target_w * 3, target,
                             (size_t)target_w * 3, NULL, 0) != SWR_OK) {
        status = failed(target_path);
        goto done;
    }
    printf("%d face(s) found, swapped into %s\n", (int)swr_pipeline_face_count(pipeline),
           output_path);
    if (!stbi_write_png(output_path, target_w, target_h, 3, target, target_w * 3)) {
        fprintf(stderr, "swap_face: cannot write %s\n", output_path);
        goto done;
    }
    status = 0;

done:
    swr_pipeline_release(pipeline);
    stbi_image_free(source);
    stbi_image_free(target);
    return status;
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: swap_face MODELS_DIR SOURCE_IMAGE TARGET_IMAGE OUTPUT.png\n");
        return 2;
    }
    printf("swaprun %s\n", swr_version());
    return swap(argv[1], argv[2], argv[3], argv[4]);
}
