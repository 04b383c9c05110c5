/* Step 1: load a model, from a file or from memory, and look at it.
 *   load_model MODEL.swpk */
#include <stdio.h>
#include <stdlib.h>

#include "swaprun/swaprun.h"

/* The application's log sink: here, everything from INFO up, to standard output. */
static void on_log(void* user_data, swr_log_level level, const char* message) {
    (void)user_data;
    printf("[swaprun %d] %s\n", (int)level, message);
}

/* Reads a whole file into memory (as an app reads a model bundled in its assets). */
static unsigned char* read_all(const char* path, size_t* size) {
    unsigned char* bytes = NULL;
    long length;
    FILE* file = fopen(path, "rb");
    if (file == NULL) return NULL;
    if (fseek(file, 0, SEEK_END) == 0 && (length = ftell(file)) > 0 &&
        fseek(file, 0, SEEK_SET) == 0 && (bytes = malloc((size_t)length)) != NULL) {
        *size = fread(bytes, 1, (size_t)length, file);
    }
    fclose(file);
    return bytes;
}

int main(int argc, char** argv) {
    swr_model* model = NULL;
    swr_model_options options = {0};
    unsigned char* bytes;
    size_t size = 0;
    int32_t i;
    swr_status status;

    if (argc != 2) return 2;
    if (swr_version_number() / 10000 != SWR_VERSION_MAJOR) {
        fprintf(stderr, "built for swaprun %d.x, linked with %s\n", SWR_VERSION_MAJOR,
                swr_version());
        return 1;
    }
    swr_set_log_callback(on_log, NULL, SWR_LOG_INFO);

    /* From a path: the file is mapped, validated, and its weights packed. */
    status = swr_model_open(argv[1], NULL, &model);
    if (status != SWR_OK) {
        fprintf(stderr, "%s (%s): %s\n", swr_status_name(status), swr_status_message(status),
                swr_last_error());
        return 1;
    }
    swr_model_release(model);

    /* From memory: copied (the default), so the buffer can go at once. */
    bytes = read_all(argv[1], &size);
    if (bytes == NULL) return 1;
    options.struct_size = sizeof options;
    status = swr_model_open_memory(bytes, size, &options, &model);
    free(bytes);
    if (status != SWR_OK) {
        fprintf(stderr, "%s: %s\n", swr_status_name(status), swr_last_error());
        return 1;
    }

    for (i = 0; i < swr_model_input_count(model); ++i) {
        swr_tensor_info info;
        if (swr_model_input_info(model, i, &info) == SWR_OK) {
            printf("input %s: %lld values\n", info.name, (long long)info.element_count);
        }
    }
    for (i = 0; i < swr_model_output_count(model); ++i) {
        swr_tensor_info info;
        if (swr_model_output_info(model, i, &info) == SWR_OK) {
            printf("output %s: %lld values\n", info.name, (long long)info.element_count);
        }
    }
    swr_model_release(model);
    swr_set_log_callback(NULL, NULL, SWR_LOG_WARNING); /* back to the default */
    return 0;
}
