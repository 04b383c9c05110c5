/* swaprun: a compact inference runtime for face-swap generators.
 *
 * The C API. Everything is reached through opaque handles; functions return a
 * swr_status and, on failure, leave a message in swr_last_error() (per thread).
 * No exception, no C++ type crosses this boundary.
 *
 * Lifetimes and threads:
 *  - swr_model holds the loaded weights (a read-only file mapping). It is immutable
 *    after swr_model_open and may be shared by any number of threads.
 *  - swr_context holds the activation arena of one inference. It belongs to one
 *    thread at a time; create one per thread. A context keeps its model alive
 *    by reference: release every context before its model.
 *  - Pointers returned by query functions stay valid until the object they came
 *    from is released (output buffers: until the next swr_context_run).
 */
#ifndef SWAPRUN_SWAPRUN_H
#define SWAPRUN_SWAPRUN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SWR_API __declspec(dllexport)
#else
#define SWR_API __attribute__((visibility("default")))
#endif

#define SWR_VERSION_MAJOR 0
#define SWR_VERSION_MINOR 1
#define SWR_VERSION_PATCH 0

typedef enum swr_status {
    SWR_OK = 0,
    SWR_ERROR_INVALID_ARGUMENT = 1, /* a wrong name, shape, size or null pointer */
    SWR_ERROR_IO = 2,               /* a file could not be opened, read or written */
    SWR_ERROR_FORMAT = 3,           /* a malformed, corrupted or other-version file */
    SWR_ERROR_UNSUPPORTED = 4,      /* valid, but not implemented by this build */
    SWR_ERROR_OUT_OF_MEMORY = 5,
    SWR_ERROR_INTERNAL = 6
} swr_status;

typedef struct swr_model swr_model;
typedef struct swr_context swr_context;

#define SWR_MAX_RANK 8

typedef struct swr_tensor_info {
    const char* name;
    int32_t rank;
    int64_t shape[SWR_MAX_RANK];
    int64_t element_count; /* float32 elements */
} swr_tensor_info;

typedef struct swr_model_options {
    uint32_t struct_size;   /* sizeof(swr_model_options), for forward compatibility */
    int32_t skip_checksum;  /* nonzero: do not verify the file checksum (faster load) */
} swr_model_options;

/* Where a context runs, swr_context_options.device. */
#define SWR_DEVICE_CPU 0        /* the CPU kernels (needs no Vulkan) */
#define SWR_DEVICE_VULKAN 1     /* Vulkan, the best device: discrete > integrated > cpu */
#define SWR_DEVICE_VULKAN_0 2   /* Vulkan device N is SWR_DEVICE_VULKAN_0 + N */

/* Storage precision of weights and activations on Vulkan (the CPU is always fp32). */
#define SWR_PRECISION_FP32 0
#define SWR_PRECISION_FP16 1 /* 16-bit storage, fp32 arithmetic; needs device support */

typedef struct swr_context_options {
    uint32_t struct_size; /* sizeof(swr_context_options) */
    int32_t threads;      /* 0: all cores (CPU only) */
    /* SWR_DEVICE_*: 0 CPU, 1 the best Vulkan device, 2 + N Vulkan device N (as
     * listed by swr_vulkan_device_name). Where Vulkan has no loader or no such device,
     * swr_context_create fails with SWR_ERROR_UNSUPPORTED and says why. */
    int32_t device;
    int32_t precision; /* SWR_PRECISION_*; fp16 is Vulkan only */
} swr_context_options;

/* "major.minor.patch" of the library actually linked. */
SWR_API const char* swr_version(void);
/* The message of the last failed call on this thread ("" if none). */
SWR_API const char* swr_last_error(void);
SWR_API const char* swr_status_name(swr_status status);

/* Opens and validates a .swpk file. options may be NULL. */
SWR_API swr_status swr_model_open(const char* path, const swr_model_options* options,
                                  swr_model** out_model);
SWR_API void swr_model_release(swr_model* model);

SWR_API int32_t swr_model_input_count(const swr_model* model);
SWR_API int32_t swr_model_output_count(const swr_model* model);
SWR_API swr_status swr_model_input_info(const swr_model* model, int32_t index,
                                        swr_tensor_info* out_info);
SWR_API swr_status swr_model_output_info(const swr_model* model, int32_t index,
                                         swr_tensor_info* out_info);
/* Metadata value for key, or NULL when absent. */
SWR_API const char* swr_model_metadata(const swr_model* model, const char* key);
/* A named non-graph tensor carried in the file (e.g. "buff2fs"); NULL data if absent. */
SWR_API swr_status swr_model_extra_tensor(const swr_model* model, const char* name,
                                          swr_tensor_info* out_info, const float** out_data);

/* The ops of the graph, in execution order, for profiles. */
typedef struct swr_op_info {
    const char* name; /* the node it came from */
    const char* type; /* "Conv2d", "Adain", "Gemm", ... */
    int64_t macs;     /* multiply-accumulates per run (convolutions and Gemms; else 0) */
} swr_op_info;

SWR_API int32_t swr_model_op_count(const swr_model* model);
SWR_API swr_status swr_model_op_info(const swr_model* model, int32_t index, swr_op_info* out_info);

/* The Vulkan devices present (0 without a Vulkan loader or driver), and the name of
 * device index (NULL when out of range; valid until the process ends). */
SWR_API int32_t swr_vulkan_device_count(void);
SWR_API const char* swr_vulkan_device_name(int32_t index);

/* Creates a context (activation arena sized once by the planner). options may be NULL. */
SWR_API swr_status swr_context_create(const swr_model* model, const swr_context_options* options,
                                      swr_context** out_context);
SWR_API void swr_context_release(swr_context* context);

/* Copies element_count floats into the named input. The count must match the input. */
SWR_API swr_status swr_context_set_input(swr_context* context, const char* name,
                                         const float* data, size_t element_count);
/* Runs the graph; every input must have been set at least once. Inputs persist across
 * runs: set the source face once and run any number of target frames. Ops whose result
 * depends only on inputs not set since the previous run (the style vectors computed
 * from the source latent) are not recomputed. */
SWR_API swr_status swr_context_run(swr_context* context);
/* The same, also writing each op's wall time in milliseconds into out_op_ms, which
 * holds op_count = swr_model_op_count() values (0 for an op the run could skip). */
SWR_API swr_status swr_context_run_profiled(swr_context* context, double* out_op_ms,
                                            size_t op_count);
/* Points at the named output (valid until the next run or release). */
SWR_API swr_status swr_context_get_output(swr_context* context, const char* name,
                                          const float** out_data, size_t* out_element_count);

#ifdef __cplusplus
}
#endif

#endif /* SWAPRUN_SWAPRUN_H */
