//===- ArtifactLoadFuzzer.cpp - libFuzzer target for the artifact loader --===//
//
// Feeds arbitrary bytes to parseArtifact as a .dsr1 file. Any crash, abort,
// sanitizer report or leak is a bug: a malformed artifact must end in an
// error. Mutated files almost never keep their checksums, so the fuzzer
// takes each input twice: as it is (the checksums must catch it), and with
// the header's and the index's checksums recomputed, which lets mutations
// reach the FlatBuffers verifier and the decoder behind it. A loaded
// artifact is also described and its plan's weights read, as a user's
// first steps would. scripts/fuzz.sh builds and runs it.
//
//===----------------------------------------------------------------------===//

#include "runtime/Artifact.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace {

uint64_t get64(const uint8_t *at) {
  uint64_t value = 0;
  std::memcpy(&value, at, sizeof(value));
  return value;
}

void put64(uint8_t *at, uint64_t value) {
  std::memcpy(at, &value, sizeof(value));
}

void load(const uint8_t *data, size_t size) {
  // A copy the parsed artifact may point into for as long as it lives.
  auto bytes = std::make_shared<std::vector<uint8_t>>(data, data + size);
  dsr1::Result<std::shared_ptr<const dsr1::Artifact>> artifact =
      dsr1::parseArtifact(bytes, bytes->data(), bytes->size(), "fuzz.dsr1");
  if (!artifact)
    return;
  std::string text = dsr1::describeArtifact(**artifact);
  uint64_t sum = text.size();
  for (const dsr1::Weight &w : (*artifact)->plan->weights)
    for (uint64_t i = 0; i < w.bytes; ++i)
      sum += w.data[i];
  if (sum == 0xdeadbeef)
    std::abort(); // keeps the reads from being optimised away
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  load(data, size);
  // The header layout of format versions 1 and 2 (runtime/Artifact.cpp).
  constexpr size_t kIndexOffsetAt = 16, kIndexBytesAt = 24,
                   kIndexChecksumAt = 32, kFileBytesAt = 40,
                   kHeaderChecksumAt = 48, kHeaderBytes = 64;
  if (size < kHeaderBytes)
    return 0;
  std::vector<uint8_t> fixed(data, data + size);
  uint64_t indexOffset = get64(&fixed[kIndexOffsetAt]);
  uint64_t indexBytes = get64(&fixed[kIndexBytesAt]);
  put64(&fixed[kFileBytesAt], size);
  if (indexOffset <= size && indexBytes <= size - indexOffset)
    put64(&fixed[kIndexChecksumAt],
          XXH3_64bits(fixed.data() + indexOffset, indexBytes));
  put64(&fixed[kHeaderChecksumAt],
        XXH3_64bits(fixed.data(), kHeaderChecksumAt));
  load(fixed.data(), fixed.size());
  return 0;
}
