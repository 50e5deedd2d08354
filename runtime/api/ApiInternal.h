//===- ApiInternal.h - what the C API needs beyond the C++ API --*- C++ -*-===//
//
// The C API maps each failure to a status code, which the C++ API's Status
// (a message) does not carry: these are the C++ API's operations with the
// kind of their failure beside the Status. Only libdsr1 sees them.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RUNTIME_API_APIINTERNAL_H
#define DSR1_RUNTIME_API_APIINTERNAL_H

#include "dsr1/dsr1.hpp"
#include "runtime/Artifact.h"

#include <memory>
#include <string>
#include <vector>

namespace dsr1 {

/// The private parts of the API's classes, for libdsr1's own code.
struct ModelAccess {
  static std::shared_ptr<Model> create(std::unique_ptr<Model::Impl> impl);
  static const Model::Impl &impl(const Model &model) { return *model.impl_; }
};
struct SessionAccess {
  static std::unique_ptr<Session> create(std::unique_ptr<Session::Impl> impl);
  static Session::Impl &impl(Session &session) { return *session.impl_; }
};
struct CompilerAccess {
  static Compiler::Impl &impl(Compiler &compiler) { return *compiler.impl_; }
};

} // namespace dsr1

namespace dsr1::api {

/// What went wrong, in the C API's terms (dsr1_status).
enum class ErrorKind {
  none,
  invalidArgument,
  notFound,
  invalidModel,
  device,
  runtime
};

/// The Model of a loaded or compiled artifact bound to `device`.
Result<std::shared_ptr<Model>>
createModel(std::shared_ptr<const Artifact> artifact, Device device,
            const LoadOptions &options, ErrorKind &kind);

Result<std::shared_ptr<Model>> loadModel(const std::string &path, Device device,
                                         const LoadOptions &options,
                                         ErrorKind &kind);

Result<std::unique_ptr<Session>> createSession(const Model &model,
                                               ErrorKind &kind);

Status run(Session &session, const std::vector<Tensor> &inputs,
           std::vector<Tensor> &outputs, ErrorKind &kind);

Result<std::shared_ptr<Model>> compile(Compiler::Impl &compiler,
                                       const std::string &modelPath,
                                       const Compiler::CompileOptions &options,
                                       Device device, ErrorKind &kind);

Status compileToFile(Compiler::Impl &compiler, const std::string &modelPath,
                     const std::string &artifactPath,
                     const Compiler::CompileOptions &options, ErrorKind &kind);

} // namespace dsr1::api

#endif // DSR1_RUNTIME_API_APIINTERNAL_H
