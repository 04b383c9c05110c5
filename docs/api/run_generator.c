/* Step 2: run a generator on aligned face crops.
 *   run_generator MODEL.swpk     (inputs "target" [1,3,N,N] and "source" [1,512]) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swaprun/swaprun.h"

/* Runs the generator on one target crop (RGB planes in [0,1]) and copies the swapped
 * crop to `out` (crop_values floats). The source latent was set before, once. Returns 0
 * on success. */
static int swap_crop(swr_context* context, const float* crop, size_t crop_values, float* out) {
    const float* result = NULL;
    size_t count = 0;
    size_t i;
    if (swr_context_set_input(context, "target", crop, crop_values) != SWR_OK ||
        swr_context_run(context) != SWR_OK ||
        swr_context_get_output(context, "output", &result, &count) != SWR_OK) {
        fprintf(stderr, "swap_crop: %s\n", swr_last_error());
        return 1;
    }
    if (count != crop_values) return 1;
    for (i = 0; i < count; ++i) out[i] = result[i]; /* valid until the next run */
    return 0;
}

int main(int argc, char** argv) {
    swr_model* model = NULL;
    swr_context* context = NULL;
    swr_context_options options = {0};
    swr_tensor_info target = {0}, source = {0}, info;
    int32_t k;
    float *crop = NULL, *latent = NULL, *out = NULL;
    size_t i;
    int status = 1;

    if (argc != 2) return 2;
    if (swr_model_open(argv[1], NULL, &model) != SWR_OK) {
        fprintf(stderr, "%s\n", swr_last_error());
        return 1;
    }
    options.struct_size = sizeof options;
    options.threads = 0;             /* every core */
    options.device = SWR_DEVICE_CPU; /* or SWR_DEVICE_VULKAN */
    if (swr_context_create(model, &options, &context) != SWR_OK) {
        fprintf(stderr, "%s\n", swr_last_error());
        goto done;
    }
    for (k = 0; k < swr_model_input_count(model); ++k) {
        if (swr_model_input_info(model, k, &info) != SWR_OK) goto done;
        if (strcmp(info.name, "target") == 0) target = info;
        if (strcmp(info.name, "source") == 0) source = info;
    }
    if (target.element_count == 0 || source.element_count == 0) goto done;
    crop = malloc((size_t)target.element_count * sizeof *crop);
    latent = malloc((size_t)source.element_count * sizeof *latent);
    out = malloc((size_t)target.element_count * sizeof *out);
    if (crop == NULL || latent == NULL || out == NULL) goto done;
    for (i = 0; i < (size_t)target.element_count; ++i) crop[i] = 0.5f;
    for (i = 0; i < (size_t)source.element_count; ++i) latent[i] = 0.04f;
    /* The source face's latent once, for any number of target crops. */
    if (swr_context_set_input(context, "source", latent, (size_t)source.element_count) != SWR_OK) {
        goto done;
    }
    for (k = 0; k < 2; ++k) { /* two frames' crops */
        if (swap_crop(context, crop, (size_t)target.element_count, out) != 0) goto done;
        printf("crop %d: output[0] = %f\n", (int)k, out[0]);
    }
    status = 0;
done:
    free(crop);
    free(latent);
    free(out);
    swr_context_release(context); /* contexts first, */
    swr_model_release(model);     /* then the model */
    return status;
}
