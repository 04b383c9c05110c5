/* swaprun face pipeline: detect faces, embed the source face once, swap target faces
 * and paste them back, on RGB frames in memory.
 *
 * Same conventions as swaprun.h: opaque handles, functions return a swr_status and leave
 * a message in swr_last_error() (per thread) on failure, no exception crosses it.
 *
 * Images are 8-bit interleaved RGB: `height` rows of `width` pixels, rows `stride` bytes
 * apart (stride >= 3 * width). Landmarks are 10 floats: x, y of the left eye, right eye,
 * nose tip, left and right mouth corner (as seen in the image), in pixels.
 *
 * Lifetimes and threads: a swr_pipeline owns its models and one execution context per
 * model; it belongs to one thread at a time (create one per thread). Face records
 * returned by swr_pipeline_face stay valid until the next call on the pipeline.
 */
#ifndef SWAPRUN_PIPELINE_H
#define SWAPRUN_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "swaprun/swaprun.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct swr_pipeline swr_pipeline;

/* Where the models are. Each path may be NULL. models_dir is searched for
 * det_10g / det_500m, w600k_r50 and inswapper_128 / live_base / live_mini as .swpk, or
 * as .onnx (converted on first use and cached beside it as .swpk). The explicit paths
 * override what the directory gives. Without a detector every image needs landmarks. */
typedef struct swr_pipeline_models {
    uint32_t struct_size; /* sizeof(swr_pipeline_models) */
    const char* models_dir;
    const char* detector_path;
    const char* recognizer_path;
    const char* swapper; /* a path, or a name looked up in models_dir */
} swr_pipeline_models;

/* Which faces swr_pipeline_process swaps, swr_pipeline_options.face_selection. */
#define SWR_FACES_ALL 0       /* every face found */
#define SWR_FACES_INDEX 1     /* face number face_index, counted from 0 left to right */
#define SWR_FACES_REFERENCE 2 /* the face most like swr_pipeline_set_reference's */

typedef struct swr_pipeline_options {
    uint32_t struct_size;   /* sizeof(swr_pipeline_options) */
    int32_t threads;        /* as swr_context_options */
    int32_t device;         /* SWR_DEVICE_* */
    int32_t precision;      /* SWR_PRECISION_*; BF16X3: the swapper's, CPU only */
    int32_t pixel_boost;    /* 0, or a crop size that is a multiple of the swapper's (256, 512) */
    int32_t face_selection; /* SWR_FACES_* */
    int32_t face_index;
    float score_threshold; /* detection; 0 means 0.5 */
    float nms_iou;         /* detection; 0 means 0.4 */
    /* The detector's input size (insightface's det_size), each side a multiple of 32 up to
     * 2048: a detector .onnx with open height and width is converted at it (and cached per
     * size); a detector of another fixed size is an error. 0, 0: 640 x 640 for an open
     * detector, a fixed one's own size. 640 x 384 suits 16:9 frames: a 640 x 640 input
     * spends 44 % of the detector's work on padding below such a frame. */
    int32_t detector_width;
    int32_t detector_height;
    /* Nonzero: the swapper keeps less of the CPU's packed weights, as
     * swr_model_options.low_memory (inswapper_128: about 0.6 GB instead of 2.0 GB, and
     * about a fifth slower). */
    int32_t low_memory;
} swr_pipeline_options;

/* A face found by the last swr_pipeline_process or swr_pipeline_detect. */
typedef struct swr_face {
    float box[4]; /* x1, y1, x2, y2 in pixels */
    float landmarks[10];
    float score;     /* detection score; 1 for landmarks given by hand */
    int32_t swapped; /* nonzero when swr_pipeline_process swapped it */
} swr_face;

/* Loads the models and makes the pipeline. options may be NULL (every default). */
SWR_API swr_status swr_pipeline_create(const swr_pipeline_models* models,
                                       const swr_pipeline_options* options,
                                       swr_pipeline** out_pipeline);
SWR_API void swr_pipeline_release(swr_pipeline* pipeline);

/* Sets the face to swap in, once for any number of frames. landmarks (10 floats) may be
 * NULL: then the detector's highest-scoring face is used (an error when none is found). */
SWR_API swr_status swr_pipeline_set_source(swr_pipeline* pipeline, const uint8_t* rgb,
                                           int32_t width, int32_t height, size_t stride,
                                           const float* landmarks);

/* For SWR_FACES_REFERENCE: the face (in this image, at landmarks or detected) whose
 * identity picks the target face to swap. */
SWR_API swr_status swr_pipeline_set_reference(swr_pipeline* pipeline, const uint8_t* rgb,
                                              int32_t width, int32_t height, size_t stride,
                                              const float* landmarks);

/* Swaps the selected faces of the frame `in` and writes the whole frame to `out` (same
 * size; out may equal in; out_stride >= 3 * width). landmarks (10 * landmark_faces
 * floats) give the faces by hand and skip detection; NULL detects. Finding no face is
 * not an error: the frame is copied unchanged and swr_pipeline_face_count() is 0. */
SWR_API swr_status swr_pipeline_process(swr_pipeline* pipeline, const uint8_t* in, int32_t width,
                                        int32_t height, size_t in_stride, uint8_t* out,
                                        size_t out_stride, const float* landmarks,
                                        int32_t landmark_faces);

/* Detects faces without swapping (for a caller's own selection or tracking). */
SWR_API swr_status swr_pipeline_detect(swr_pipeline* pipeline, const uint8_t* rgb, int32_t width,
                                       int32_t height, size_t stride);

/* The faces of the last process or detect call, left to right (-1 for a NULL pipeline). */
SWR_API int32_t swr_pipeline_face_count(const swr_pipeline* pipeline);
SWR_API swr_status swr_pipeline_face(const swr_pipeline* pipeline, int32_t index,
                                     swr_face* out_face);

/* The swapper's crop size (128 for inswapper_128, 512 for the live models); -1 for NULL. */
SWR_API int32_t swr_pipeline_crop_size(const swr_pipeline* pipeline);

#ifdef __cplusplus
}
#endif

#endif /* SWAPRUN_PIPELINE_H */
