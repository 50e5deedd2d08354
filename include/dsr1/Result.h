//===- Result.h - Status and Result: errors without exceptions --*- C++ -*-===//
//
// Error handling for dsr1's runtime and its public API, which throw no
// exceptions: a Status is success or a message naming what is at fault;
// Result<T> is a value or such a message.
//
//===----------------------------------------------------------------------===//

#ifndef DSR1_RESULT_H
#define DSR1_RESULT_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace dsr1 {

class [[nodiscard]] Status {
public:
  static Status ok() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.message_ = std::move(message);
    return s;
  }
  bool isOk() const { return !message_; }
  explicit operator bool() const { return isOk(); }
  /// The message of a failed status ("" when ok).
  const std::string &message() const {
    static const std::string empty;
    return message_ ? *message_ : empty;
  }

private:
  std::optional<std::string> message_;
};

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {
    assert(!status_.isOk() && "a Result from a Status must be an error");
  }
  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status &status() const { return status_; }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }

private:
  std::optional<T> value_;
  Status status_;
};

} // namespace dsr1

#endif // DSR1_RESULT_H
