/* Step 3: swap a face into every frame of a camera stream with the face pipeline.
 *   camera_loop MODELS_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swaprun/pipeline.h"

enum { WIDTH = 640, HEIGHT = 480, FRAMES = 3 };

/* Stands in for the application's camera: fills an RGB frame, returns 0 at the end. */
static int capture_frame(unsigned char* rgb, size_t stride, int index) {
    int y;
    if (index >= FRAMES) return 0;
    for (y = 0; y < HEIGHT; ++y) memset(rgb + (size_t)y * stride, 40 + 10 * index, WIDTH * 3);
    return 1;
}

int main(int argc, char** argv) {
    swr_pipeline_models models = {0};
    swr_pipeline_options options = {0};
    swr_pipeline* pipeline = NULL;
    unsigned char* frame = NULL;
    const size_t stride = WIDTH * 3;
    /* The source face's five points (eyes, nose, mouth corners), known here; pass NULL
     * to detect them. */
    const float source_points[10] = {250, 210, 390, 210, 320, 280, 265, 350, 375, 350};
    int index = 0;
    int status = 1;

    if (argc != 2) return 2;
    models.struct_size = sizeof models;
    models.models_dir = argv[1];
    options.struct_size = sizeof options;
    options.face_selection = SWR_FACES_ALL;
    if (swr_pipeline_create(&models, &options, &pipeline) != SWR_OK) {
        fprintf(stderr, "%s\n", swr_last_error());
        return 1;
    }
    frame = malloc(stride * HEIGHT);
    if (frame == NULL) goto done;

    /* The source face once: its identity is computed here and reused for every frame. */
    capture_frame(frame, stride, 0);
    if (swr_pipeline_set_source(pipeline, frame, WIDTH, HEIGHT, stride, source_points) != SWR_OK) {
        fprintf(stderr, "source: %s\n", swr_last_error());
        goto done;
    }
    /* Then every frame, in place: detect, swap, paste back. */
    while (capture_frame(frame, stride, index)) {
        if (swr_pipeline_process(pipeline, frame, WIDTH, HEIGHT, stride, frame, stride, NULL, 0) !=
            SWR_OK) {
            fprintf(stderr, "frame %d: %s\n", index, swr_last_error());
            goto done;
        }
        printf("frame %d: %d face(s)\n", index, (int)swr_pipeline_face_count(pipeline));
        ++index;
    }
    status = 0;
done:
    free(frame);
    swr_pipeline_release(pipeline);
    return status;
}
