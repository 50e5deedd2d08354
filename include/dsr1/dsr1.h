//===- dsr1.h - the C API: load or compile a model, run it --------*- C -*-===//
//
// A stable C interface over the C++ API (dsr1.hpp) for frameworks that use
// dsr1 as a backend. Handles are opaque. Every function that can fail
// returns a dsr1_status; on failure, dsr1_last_error() gives the message
// (thread-local, kept until the thread's next failure). A null handle or
// out-pointer is DSR1_ERROR_INVALID_ARGUMENT, never a crash.
//
// Threading: a dsr1_model may be used from any number of threads; a
// dsr1_session by one thread at a time (create one per thread); a
// dsr1_compiler by one thread at a time.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_DSR1_H
#define DSR1_DSR1_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dsr1_status {
  DSR1_OK = 0,
  /* A null pointer, an unknown device, targets or precision, tensors that
     do not match the model's signature. */
  DSR1_ERROR_INVALID_ARGUMENT,
  /* The model or artifact file does not exist. */
  DSR1_ERROR_NOT_FOUND,
  /* Not an artifact, a corrupt one or one of another format version; a
     model that does not import or compile (an unsupported op, bad shapes). */
  DSR1_ERROR_INVALID_MODEL,
  /* The device cannot run the model: no GPU or CUDA driver, no code for the
     device in the artifact, a CPU without the features it was compiled for.
   */
  DSR1_ERROR_DEVICE,
  /* A run failed (bad data met by a kernel, a device error), or a file could
     not be written. */
  DSR1_ERROR_RUNTIME
} dsr1_status;

/* Element types, the values of dsr1::DataType. f16 and bf16 are raw bits
   (uint16_t); bool is one byte per element. */
typedef enum dsr1_dtype {
  DSR1_F16 = 0,
  DSR1_BF16,
  DSR1_F32,
  DSR1_F64,
  DSR1_I8,
  DSR1_I16,
  DSR1_I32,
  DSR1_I64,
  DSR1_U8,
  DSR1_U16,
  DSR1_U32,
  DSR1_U64,
  DSR1_BOOL
} dsr1_dtype;

/* The values of dsr1::Device. */
typedef enum dsr1_device {
  DSR1_DEVICE_CPU = 0,
  /* The CUDA kernels run on the CPU (no GPU needed). */
  DSR1_DEVICE_CUDA_EMU,
  DSR1_DEVICE_CUDA
} dsr1_device;

typedef struct dsr1_compiler dsr1_compiler;
typedef struct dsr1_model dsr1_model;
typedef struct dsr1_session dsr1_session;

/* A dense, row-major, little-endian tensor the caller owns: `shape` holds
   `rank` dims (rank 0: a scalar, `shape` may be null). */
typedef struct dsr1_tensor {
  void *data;
  dsr1_dtype dtype;
  int32_t rank;
  const int64_t *shape;
} dsr1_tensor;

/* "0.1.0". */
const char *dsr1_version(void);
/* The message of this thread's last failure ("" if none). */
const char *dsr1_last_error(void);
/* Bytes per element of `dtype` (0 for a value that is no dsr1_dtype). */
size_t dsr1_dtype_size(dsr1_dtype dtype);

/* Loads a .dsr1 artifact onto `device`. */
dsr1_status dsr1_model_load(const char *path, dsr1_device device,
                            dsr1_model **out);
/* Frees the handle; the model lives on while sessions of it do. NULL is
   ignored. */
void dsr1_model_free(dsr1_model *model);
dsr1_status dsr1_model_num_inputs(const dsr1_model *model, size_t *count);
dsr1_status dsr1_model_num_outputs(const dsr1_model *model, size_t *count);
/* The signature of input (output) `index`; any out-pointer may be null. The
   strings and shapes stay valid while the model handle lives. */
dsr1_status dsr1_model_input(const dsr1_model *model, size_t index,
                             const char **name, dsr1_dtype *dtype,
                             int32_t *rank, const int64_t **shape);
dsr1_status dsr1_model_output(const dsr1_model *model, size_t index,
                              const char **name, dsr1_dtype *dtype,
                              int32_t *rank, const int64_t **shape);

dsr1_status dsr1_session_create(const dsr1_model *model, dsr1_session **out);
void dsr1_session_free(dsr1_session *session);
/* Runs the model: `inputs` are the model's inputs in order, `outputs`
   buffers the caller allocated for its outputs; both are checked against
   the signature (count, dtype, shape) and outputs must not overlap inputs.
   On the cpu and cuda-emu devices nothing is copied. */
dsr1_status dsr1_session_run(dsr1_session *session, const dsr1_tensor *inputs,
                             size_t num_inputs, dsr1_tensor *outputs,
                             size_t num_outputs);

dsr1_status dsr1_compiler_create(dsr1_compiler **out);
void dsr1_compiler_free(dsr1_compiler *compiler);
/* Compiles an ONNX model into a .dsr1 artifact. `targets`: comma-separated
   ("cpu,sm_80"; NULL: "cpu"); `precision`: fp32 (NULL), tf32, fp16, bf16. */
dsr1_status dsr1_compiler_compile_file(dsr1_compiler *compiler,
                                       const char *model_path,
                                       const char *artifact_path,
                                       const char *targets,
                                       const char *precision);
/* Compiles an ONNX model in memory and loads it onto `device` (whose own
   target is added to `targets` when missing). */
dsr1_status dsr1_compiler_compile(dsr1_compiler *compiler,
                                  const char *model_path, const char *targets,
                                  const char *precision, dsr1_device device,
                                  dsr1_model **out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DSR1_DSR1_H */
