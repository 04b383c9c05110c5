/* swaprun: a compact inference runtime for face-swap generators.
 *
 * The C API (C99 and C++). Everything is reached through opaque handles; functions
 * return a swr_status and, on failure, leave a message in swr_last_error() (per
 * thread). No exception, no C++ type crosses this boundary. docs/api.md walks
 * through it with examples.
 *
 * Lifetimes:
 *  - swr_model holds the loaded weights: a read-only mapping of the file (or the
 *    caller's bytes, or a copy of them; see swr_model_open_memory) and the
 *    convolution weights packed for the kernels. It is immutable once opened.
 *  - swr_context holds the activation arena and scratch of one inference, sized
 *    once at creation: a run allocates nothing.
 *  - Release every context before its model (a context still holds a reference
 *    internally, so an early model release is not a crash, but it is not supported).
 *  - Pointers returned by query functions stay valid until the object they came
 *    from is released (output buffers: until the next run on that context, or its
 *    release). Every release function accepts NULL.
 *
 * Threads:
 *  - A model may be used by any number of threads at once: every swr_model_*
 *    query, and swr_context_create on it, are safe concurrently.
 *  - A context belongs to one thread at a time: calls on the same context must not
 *    overlap (different contexts of one model run in parallel). Create one per
 *    thread. A CPU run uses its own OpenMP worker threads (swr_context_options.threads).
 *  - swr_version*, swr_status_*, swr_last_error, swr_set_log_callback and
 *    swr_vulkan_device_* are safe from any thread.
 *
 * Memory: see swr_allocator for what an application-supplied allocator covers.
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

/* The version of this header. The library actually linked may be newer or older:
 * compare with swr_version_number() at run time. Within one major version, newer
 * libraries accept older option structs (struct_size) and keep every function. */
#define SWR_VERSION_MAJOR 0
#define SWR_VERSION_MINOR 1
#define SWR_VERSION_PATCH 0
#define SWR_VERSION_NUMBER (SWR_VERSION_MAJOR * 10000 + SWR_VERSION_MINOR * 100 + SWR_VERSION_PATCH)

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

/* An application's allocator for the library's large buffers: the in-memory copy
 * of a model (swr_model_open_memory without use_memory_in_place), the packed
 * convolution weights of a model (one block for all of them, the bulk of a
 * model's memory), and the
 * activation arena and scratch of every CPU context created from that model.
 * It does not cover small bookkeeping (graph records, names, handles: the C++
 * heap), file mappings (swr_model_open maps the file), Vulkan device memory and
 * staging buffers, or the OpenMP runtime's own memory.
 *
 * allocate(user_data, size, alignment) returns size bytes (size > 0) aligned to
 * alignment (a power of two, 64 today), or NULL, which fails the call with
 * SWR_ERROR_OUT_OF_MEMORY. release(user_data, pointer, size) frees a block with
 * the size it was allocated with; it may be NULL (an arena the application frees
 * itself). Either function may be called from any thread that calls into the
 * model or its contexts, and concurrently from different threads. */
typedef struct swr_allocator {
    void* (*allocate)(void* user_data, size_t size, size_t alignment);
    void (*release)(void* user_data, void* pointer, size_t size);
    void* user_data;
} swr_allocator;

typedef struct swr_model_options {
    uint32_t struct_size;  /* sizeof(swr_model_options), for forward compatibility */
    int32_t skip_checksum; /* nonzero: do not verify the file checksum (faster load) */
    /* swr_model_open_memory only. 0: the bytes are copied (to a 64-byte aligned
     * block from the allocator) and the caller may free its buffer as soon as the
     * call returns. Nonzero: no copy; the bytes are used in place, so they must
     * start on a 64-byte boundary (SWR_ERROR_INVALID_ARGUMENT otherwise) and stay
     * valid and unchanged until swr_model_release. */
    int32_t use_memory_in_place;
    /* NULL: the library's own (aligned_alloc/free; the packed weights and activation
     * arenas, blocks of several MiB, on the system's large pages where it has them:
     * Linux's transparent huge pages). Otherwise the allocator of this model and of every
     * context created from it. The struct is copied; its functions and user_data
     * must stay valid until the model and all its contexts are released. */
    const swr_allocator* allocator;
    /* Largest activation arena (bytes of one inference's activations) a context of
     * this model may allocate; a model needing more fails to open with
     * SWR_ERROR_INVALID_ARGUMENT before anything is allocated. 0: the default,
     * 4 GiB (runtime/src/util/limits.h). */
    uint64_t max_activation_bytes;
    /* Nonzero: keep less of the CPU's packed weights. A Winograd layer that runs in one
     * pass keeps its 3x3 kernels and transforms them on every run, where by default it
     * keeps them transformed (four times the size) once its share of the transformed
     * input outgrows a core's L2. inswapper_128: about 0.6 GB of resident memory
     * instead of 2.0 GB, and about a fifth slower; live_base and live_mini: no change
     * (their residual blocks transform per run either way). Vulkan: no effect. */
    int32_t low_memory;
    /* SWR_PRECISION_FP32 (0, the default) or SWR_PRECISION_BF16X3: the arithmetic of the
     * CPU's convolutions (Vulkan: swr_context_options.precision). */
    int32_t cpu_precision;
} swr_model_options;

/* Where a context runs, swr_context_options.device. */
#define SWR_DEVICE_CPU 0      /* the CPU kernels (needs no Vulkan) */
#define SWR_DEVICE_VULKAN 1   /* Vulkan, the best device: discrete > integrated > cpu */
#define SWR_DEVICE_VULKAN_0 2 /* Vulkan device N is SWR_DEVICE_VULKAN_0 + N */

/* Precision: of weights and activations on Vulkan (swr_context_options.precision), of
 * the CPU's arithmetic (swr_model_options.cpu_precision). */
#define SWR_PRECISION_FP32 0
#define SWR_PRECISION_FP16 1 /* 16-bit storage (+ fp16 math where the device has it) */
/* CPU only, chosen when the model opens (swr_model_options.cpu_precision): on a CPU with
 * AMX tiles (Intel Xeon since Sapphire Rapids) the Winograd and 3x3 stride-2
 * convolutions take each product as three bf16 products summed in fp32 (about 16
 * significant bits instead of 24; PyTorch's float32 matmul precision "high"), several
 * times faster; elsewhere, and for the other layers, fp32. Measured fidelity:
 * README.md, "Performance". */
#define SWR_PRECISION_BF16X3 2

typedef struct swr_context_options {
    uint32_t struct_size; /* sizeof(swr_context_options) */
    int32_t threads;      /* 0: all cores (CPU only) */
    /* SWR_DEVICE_*: 0 CPU, 1 the best Vulkan device, 2 + N Vulkan device N (as
     * listed by swr_vulkan_device_name). Where Vulkan has no loader or no such device,
     * swr_context_create fails with SWR_ERROR_UNSUPPORTED and says why. */
    int32_t device;
    int32_t precision; /* SWR_PRECISION_*; fp16 is Vulkan only */
    /* Nonzero: when a Vulkan context cannot be made (no loader or device, a device
     * that fails to initialise, device memory exhausted while uploading the model),
     * make a CPU context (fp32) instead and log the reason at SWR_LOG_WARNING. Zero
     * (the default): that failure is the call's status and message. */
    int32_t cpu_fallback;
    /* Vulkan only; NULL or "" for none. A pipeline cache file: read when the context is
     * made (a missing file, or one from another device or driver, only costs the
     * shader compile time), then rewritten atomically with the context's pipelines.
     * When it cannot be written, the context is still made and a warning logged. */
    const char* pipeline_cache;
} swr_context_options;

/* "major.minor.patch" of the library actually linked (static storage). */
SWR_API const char* swr_version(void);
/* The same as a number, major * 10000 + minor * 100 + patch (see SWR_VERSION_NUMBER). */
SWR_API int32_t swr_version_number(void);
/* The message of the last failed call on this thread ("" if none). Valid until this
 * thread's next failing call; a successful call leaves it unchanged. */
SWR_API const char* swr_last_error(void);
/* "SWR_ERROR_FORMAT" for SWR_ERROR_FORMAT ("SWR_UNKNOWN_STATUS" for others). */
SWR_API const char* swr_status_name(swr_status status);
/* What a status means in general, as a sentence ("the file is malformed, corrupted
 * or of another format version"); swr_last_error() says what happened in particular.
 * Static storage; never NULL. */
SWR_API const char* swr_status_message(swr_status status);

/* Log messages: what the library has to say outside a failed call's status. */
typedef enum swr_log_level {
    SWR_LOG_DEBUG = 0,   /* every failed call's message, as it is returned */
    SWR_LOG_INFO = 1,    /* a model loaded (its ops and activation memory) */
    SWR_LOG_WARNING = 2, /* something the application should know (a fallback taken) */
    SWR_LOG_ERROR = 3,
    SWR_LOG_NONE = 4 /* as min_level: nothing */
} swr_log_level;

typedef void (*swr_log_callback)(void* user_data, swr_log_level level, const char* message);

/* Sends messages of min_level and above to callback (NULL: the default, standard
 * error, one line each, prefixed "swaprun: "). The default before any call is
 * standard error with SWR_LOG_WARNING. The message is valid during the call only.
 * Calls to the callback never overlap (they may come from any thread that calls
 * into the library); the callback must not call swr_set_log_callback. user_data
 * must stay valid until the callback is replaced. */
SWR_API void swr_set_log_callback(swr_log_callback callback, void* user_data,
                                  swr_log_level min_level);

/* Opens and validates a .swpk file: every offset, size, shape and op of the file,
 * and its checksum unless options->skip_checksum. The file is mapped read-only and
 * must not be truncated while the model lives (replacing it by rename is safe).
 * options may be NULL. On failure *out_model is NULL. */
SWR_API swr_status swr_model_open(const char* path, const swr_model_options* options,
                                  swr_model** out_model);
/* The same, from size bytes at data that hold a .swpk file (for an application
 * that bundles the model in its own assets), with the same validation. Copied
 * unless options->use_memory_in_place (see swr_model_options for the lifetime
 * and alignment that asks of data). */
SWR_API swr_status swr_model_open_memory(const void* data, size_t size,
                                         const swr_model_options* options, swr_model** out_model);
/* Frees the model (NULL: nothing). Its contexts must have been released. */
SWR_API void swr_model_release(swr_model* model);

/* Counts of graph inputs and outputs; -1 for a NULL model. */
SWR_API int32_t swr_model_input_count(const swr_model* model);
SWR_API int32_t swr_model_output_count(const swr_model* model);
/* Name, shape and size of input / output index (0 <= index < count; otherwise
 * SWR_ERROR_INVALID_ARGUMENT). info.name lives as long as the model. */
SWR_API swr_status swr_model_input_info(const swr_model* model, int32_t index,
                                        swr_tensor_info* out_info);
SWR_API swr_status swr_model_output_info(const swr_model* model, int32_t index,
                                         swr_tensor_info* out_info);
/* Metadata value for key, or NULL when absent (or model or key is NULL). Lives as
 * long as the model. */
SWR_API const char* swr_model_metadata(const swr_model* model, const char* key);
/* A named non-graph tensor carried in the file (e.g. "buff2fs"): its info (out_info
 * may be NULL) and values, which live as long as the model. Absent: SWR_OK with
 * *out_data NULL. */
SWR_API swr_status swr_model_extra_tensor(const swr_model* model, const char* name,
                                          swr_tensor_info* out_info, const float** out_data);

/* The ops of the graph, in execution order, for profiles. */
typedef struct swr_op_info {
    const char* name; /* the node it came from */
    const char* type; /* "Conv2d", "Adain", "Gemm", ... */
    int64_t macs;     /* multiply-accumulates per run (convolutions and Gemms; else 0) */
} swr_op_info;

/* The number of ops; -1 for a NULL model. */
SWR_API int32_t swr_model_op_count(const swr_model* model);
SWR_API swr_status swr_model_op_info(const swr_model* model, int32_t index, swr_op_info* out_info);

/* The Vulkan devices present (0 without a Vulkan loader or driver), and the name of
 * device index (NULL when out of range; valid until the process ends). */
SWR_API int32_t swr_vulkan_device_count(void);
SWR_API const char* swr_vulkan_device_name(int32_t index);

/* Creates a context (activation arena and scratch sized once by the planner, from the
 * model's allocator). options may be NULL. A negative thread count, an unknown device
 * or precision: SWR_ERROR_INVALID_ARGUMENT; a device or precision this machine lacks:
 * SWR_ERROR_UNSUPPORTED. On failure *out_context is NULL. */
SWR_API swr_status swr_context_create(const swr_model* model, const swr_context_options* options,
                                      swr_context** out_context);
/* Frees the context (NULL: nothing). */
SWR_API void swr_context_release(swr_context* context);

/* Copies element_count floats into the named input. A name the model lacks (the message
 * lists its inputs) or a count other than the input's: SWR_ERROR_INVALID_ARGUMENT. */
SWR_API swr_status swr_context_set_input(swr_context* context, const char* name, const float* data,
                                         size_t element_count);
/* Runs the graph; every input must have been set at least once. Inputs persist across
 * runs: set the source face once and run any number of target frames. Ops whose result
 * depends only on inputs not set since the previous run (the style vectors computed
 * from the source latent) are not recomputed. On the CPU with 2 threads or more, the
 * second and third runs time two ways of sharing the Winograd layers among the threads
 * and later runs keep the faster (the outputs are the same bits either way), so a
 * context reaches its steady speed from its fourth run. */
SWR_API swr_status swr_context_run(swr_context* context);
/* The same, also writing each op's wall time in milliseconds into out_op_ms, which
 * holds op_count = swr_model_op_count() values (0 for an op the run could skip). */
SWR_API swr_status swr_context_run_profiled(swr_context* context, double* out_op_ms,
                                            size_t op_count);
/* Points at the named output (valid until the next run or release). Before any run has
 * completed, or for an unknown name: SWR_ERROR_INVALID_ARGUMENT, *out_data NULL. */
SWR_API swr_status swr_context_get_output(swr_context* context, const char* name,
                                          const float** out_data, size_t* out_element_count);

#ifdef __cplusplus
}
#endif

#endif /* SWAPRUN_SWAPRUN_H */
