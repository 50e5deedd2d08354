//===- main.c - a host application on dsr1's C API ------------------------===//
//
// host-app-c MODEL.dsr1 [INPUTS_DIR [OUTPUTS_DIR]]
//
// Loads an artifact on the cpu device, prints its signature, runs it once
// on buffers this program allocates (input_N.bin from INPUTS_DIR, raw
// little-endian bytes, or synthetic values), prints the outputs' first
// values and writes output_N.bin to OUTPUTS_DIR.
//
//===----------------------------------------------------------------------===//

#include <dsr1/dsr1.h>

#include <stdio.h>
#include <stdlib.h>

// Reports the last failure of this thread and exits.
static void check(dsr1_status status, const char *what) {
  if (status == DSR1_OK)
    return;
  fprintf(stderr, "host-app-c: error: %s (status %d): %s\n", what, (int)status,
          dsr1_last_error());
  exit(1);
}

static size_t tensorBytes(dsr1_dtype dtype, int32_t rank,
                          const int64_t *shape) {
  size_t count = 1;
  for (int32_t d = 0; d < rank; ++d)
    count *= (size_t)shape[d];
  return count * dsr1_dtype_size(dtype);
}

// Fills an input from DIR/input_N.bin, or with small values any type holds.
static void fillInput(dsr1_tensor *tensor, size_t bytes, const char *dir,
                      size_t index) {
  unsigned char *data = tensor->data;
  if (dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/input_%zu.bin", dir, index);
    FILE *file = fopen(path, "rb");
    size_t read = file ? fread(data, 1, bytes, file) : 0;
    if (file)
      fclose(file);
    if (read != bytes) {
      fprintf(stderr, "host-app-c: error: %s: expected %zu bytes\n", path,
              bytes);
      exit(1);
    }
    return;
  }
  size_t size = dsr1_dtype_size(tensor->dtype);
  for (size_t k = 0; k < bytes / size; ++k) {
    if (tensor->dtype == DSR1_F32)
      ((float *)data)[k] = (float)(k % 7) * 0.25f;
    else if (tensor->dtype == DSR1_I64)
      ((int64_t *)data)[k] = 1 + (int64_t)(k % 5);
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 4) {
    fprintf(stderr,
            "usage: host-app-c MODEL.dsr1 [INPUTS_DIR [OUTPUTS_DIR]]\n");
    return 1;
  }
  const char *inputsDir = argc > 2 ? argv[2] : NULL;
  const char *outputsDir = argc > 3 ? argv[3] : NULL;

  dsr1_model *model = NULL;
  check(dsr1_model_load(argv[1], DSR1_DEVICE_CPU, &model), "loading");
  size_t numInputs = 0, numOutputs = 0;
  check(dsr1_model_num_inputs(model, &numInputs), "inputs");
  check(dsr1_model_num_outputs(model, &numOutputs), "outputs");
  printf("dsr1 %s: %s, %zu input(s), %zu output(s)\n", dsr1_version(), argv[1],
         numInputs, numOutputs);

  // The caller owns every buffer: the model's signature says how large.
  dsr1_tensor *inputs = calloc(numInputs, sizeof(dsr1_tensor));
  dsr1_tensor *outputs = calloc(numOutputs, sizeof(dsr1_tensor));
  for (size_t i = 0; i < numInputs; ++i) {
    const char *name;
    dsr1_tensor *t = &inputs[i];
    check(dsr1_model_input(model, i, &name, &t->dtype, &t->rank, &t->shape),
          "input signature");
    size_t bytes = tensorBytes(t->dtype, t->rank, t->shape);
    t->data = malloc(bytes ? bytes : 1);
    fillInput(t, bytes, inputsDir, i);
    printf("input '%s': %zu bytes\n", name, bytes);
  }
  for (size_t o = 0; o < numOutputs; ++o) {
    dsr1_tensor *t = &outputs[o];
    check(dsr1_model_output(model, o, NULL, &t->dtype, &t->rank, &t->shape),
          "output signature");
    size_t bytes = tensorBytes(t->dtype, t->rank, t->shape);
    t->data = malloc(bytes ? bytes : 1);
  }

  dsr1_session *session = NULL;
  check(dsr1_session_create(model, &session), "creating a session");
  check(dsr1_session_run(session, inputs, numInputs, outputs, numOutputs),
        "running");

  for (size_t o = 0; o < numOutputs; ++o) {
    const char *name;
    check(dsr1_model_output(model, o, &name, NULL, NULL, NULL), "output");
    dsr1_tensor *t = &outputs[o];
    size_t bytes = tensorBytes(t->dtype, t->rank, t->shape);
    printf("output '%s':", name);
    for (size_t k = 0; t->dtype == DSR1_F32 && k < 4 && k < bytes / 4; ++k)
      printf(" %g", ((const float *)t->data)[k]);
    printf("\n");
    if (outputsDir) {
      char path[4096];
      snprintf(path, sizeof path, "%s/output_%zu.bin", outputsDir, o);
      FILE *file = fopen(path, "wb");
      if (!file || fwrite(t->data, 1, bytes, file) != bytes) {
        fprintf(stderr, "host-app-c: error: cannot write %s\n", path);
        return 1;
      }
      fclose(file);
    }
  }

  dsr1_session_free(session);
  for (size_t i = 0; i < numInputs; ++i)
    free(inputs[i].data);
  for (size_t o = 0; o < numOutputs; ++o)
    free(outputs[o].data);
  free(inputs);
  free(outputs);
  dsr1_model_free(model);
  return 0;
}
