//===- TensorIO.cpp - tensors from and to files: TensorProto, .npy
//---------===//
//
// TensorProto through the ONNX protobuf classes; .npy by its documented
// header format (a magic string, a version, and a Python dict literal).
//
//===----------------------------------------------------------------------===//

#include "runtime/TensorIO.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace dsr1 {

const char *onnxDataTypeName(int32_t type) {
  switch (type) {
  case 0:
    return "UNDEFINED";
  case 1:
    return "FLOAT";
  case 2:
    return "UINT8";
  case 3:
    return "INT8";
  case 4:
    return "UINT16";
  case 5:
    return "INT16";
  case 6:
    return "INT32";
  case 7:
    return "INT64";
  case 8:
    return "STRING";
  case 9:
    return "BOOL";
  case 10:
    return "FLOAT16";
  case 11:
    return "DOUBLE";
  case 12:
    return "UINT32";
  case 13:
    return "UINT64";
  case 14:
    return "COMPLEX64";
  case 15:
    return "COMPLEX128";
  case 16:
    return "BFLOAT16";
  case 17:
    return "FLOAT8E4M3FN";
  case 18:
    return "FLOAT8E4M3FNUZ";
  case 19:
    return "FLOAT8E5M2";
  case 20:
    return "FLOAT8E5M2FNUZ";
  case 21:
    return "UINT4";
  case 22:
    return "INT4";
  case 23:
    return "FLOAT4E2M1";
  case 24:
    return "FLOAT8E8M0";
  case 25:
    return "UINT2";
  case 26:
    return "INT2";
  default:
    return nullptr;
  }
}

namespace {

Status fileError(const std::string &path, const std::string &what) {
  return Status::error("'" + path + "': " + what);
}

Result<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fileError(path, "cannot open: " + std::string(std::strerror(errno)));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Status writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(bytes.data(), bytes.size()))
    return fileError(path,
                     "cannot write: " + std::string(std::strerror(errno)));
  return Status::ok();
}

/// ONNX TensorProto.DataType <-> DType.
std::optional<DType> fromOnnx(int32_t type) {
  switch (type) {
  case onnx::TensorProto::FLOAT:
    return DType::f32;
  case onnx::TensorProto::UINT8:
    return DType::u8;
  case onnx::TensorProto::INT8:
    return DType::i8;
  case onnx::TensorProto::UINT16:
    return DType::u16;
  case onnx::TensorProto::INT16:
    return DType::i16;
  case onnx::TensorProto::INT32:
    return DType::i32;
  case onnx::TensorProto::INT64:
    return DType::i64;
  case onnx::TensorProto::BOOL:
    return DType::i1;
  case onnx::TensorProto::FLOAT16:
    return DType::f16;
  case onnx::TensorProto::DOUBLE:
    return DType::f64;
  case onnx::TensorProto::UINT32:
    return DType::u32;
  case onnx::TensorProto::UINT64:
    return DType::u64;
  case onnx::TensorProto::BFLOAT16:
    return DType::bf16;
  // The element types newer than Debian's onnx.proto, by number.
  case 17:
    return DType::f8E4M3FN;
  case 18:
    return DType::f8E4M3FNUZ;
  case 19:
    return DType::f8E5M2;
  case 20:
    return DType::f8E5M2FNUZ;
  case 21:
    return DType::u4;
  case 22:
    return DType::i4;
  case 23:
    return DType::f4E2M1FN;
  case 24:
    return DType::f8E8M0FNU;
  case 25:
    return DType::u2;
  case 26:
    return DType::i2;
  default:
    return std::nullopt;
  }
}

int32_t toOnnx(DType type) {
  for (int32_t t = 1; t <= 26; ++t)
    if (fromOnnx(t) == type)
      return t;
  return 0;
}

/// Product of dims, or nullopt on a negative dim or overflow.
std::optional<int64_t> countElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d && n > std::numeric_limits<int64_t>::max() / d))
      return std::nullopt;
    n *= d;
  }
  return n;
}

/// Copies `values` (a typed TensorProto field) into `out`, each narrowed to
/// the tensor's element width (little-endian).
template <typename Field>
bool storeTyped(const Field &values, int64_t count, size_t width,
                std::vector<uint8_t> &out) {
  if (static_cast<int64_t>(values.size()) != count)
    return false;
  out.resize(count * width);
  for (int64_t i = 0; i < count; ++i) {
    auto v = values.Get(i);
    uint64_t bits = 0;
    if constexpr (std::is_floating_point_v<decltype(v)>)
      std::memcpy(&bits, &v, sizeof(v)); // float_data / double_data: exact
    else
      bits = static_cast<uint64_t>(v);
    std::memcpy(out.data() + i * width, &bits, width);
  }
  return true;
}

} // namespace

Result<HostTensor> readTensorProto(const std::string &path) {
  Result<std::string> bytes = readFile(path);
  if (!bytes)
    return bytes.status();
  onnx::TensorProto proto;
  if (bytes->size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromArray(bytes->data(), static_cast<int>(bytes->size())))
    return fileError(path, "not a serialized onnx.TensorProto");
  std::optional<DType> dtype = fromOnnx(proto.data_type());
  if (!dtype)
    return fileError(path, std::string("element type ") +
                               (onnxDataTypeName(proto.data_type())
                                    ? onnxDataTypeName(proto.data_type())
                                    : std::to_string(proto.data_type())) +
                               " is not supported");
  HostTensor tensor;
  tensor.name = proto.name();
  tensor.dtype = *dtype;
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  std::optional<int64_t> count = countElements(tensor.shape);
  size_t width = elementSize(*dtype);
  if (!count || *count > std::numeric_limits<int64_t>::max() /
                             static_cast<int64_t>(width))
    return fileError(path, "bad dims " + tensor.describe());
  // The 4- and 2-bit types are packed in the file (raw and int32_data alike)
  // and unpacked to a byte each; every other type is stored as in memory.
  unsigned bits = packedBits(*dtype);
  bool packed = bits < 8;
  int64_t expected =
      packed ? (*count * bits + 7) / 8 : *count * static_cast<int64_t>(width);
  auto sizeError = [&](int64_t actual) {
    return fileError(path, "holds " + std::to_string(actual) +
                               " bytes of data, " + tensor.describe() +
                               " needs " + std::to_string(expected));
  };
  std::vector<uint8_t> stored;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0;
    for (const auto &entry : proto.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::strtoll(entry.value().c_str(), nullptr, 10);
    }
    fs::path file = fs::path(path).parent_path() / location;
    if (location.empty() || fs::path(location).is_absolute() ||
        location.find("..") != std::string::npos)
      return fileError(path, "external data location '" + location +
                                 "' is not a file beside it");
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    uintmax_t size = fs::file_size(file, ec);
    if (!in || ec || offset < 0 ||
        static_cast<uintmax_t>(offset) + expected > size)
      return fileError(path, "external data '" + file.string() +
                                 "' is missing or too short");
    stored.resize(expected);
    in.seekg(offset);
    in.read(reinterpret_cast<char *>(stored.data()), expected);
  } else if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (static_cast<int64_t>(raw.size()) != expected)
      return sizeError(raw.size());
    stored.assign(raw.begin(), raw.end());
  } else {
    bool complete;
    switch (*dtype) {
    case DType::f32:
      complete = storeTyped(proto.float_data(), *count, width, stored);
      break;
    case DType::f64:
      complete = storeTyped(proto.double_data(), *count, width, stored);
      break;
    case DType::i64:
      complete = storeTyped(proto.int64_data(), *count, width, stored);
      break;
    case DType::u32:
    case DType::u64:
      complete = storeTyped(proto.uint64_data(), *count, width, stored);
      break;
    default:
      // int32_data holds narrow integers, bools, the bits of 16- and 8-bit
      // floats, and the packed bytes of the 4- and 2-bit types.
      complete = storeTyped(proto.int32_data(), packed ? expected : *count,
                            packed ? 1 : width, stored);
      break;
    }
    if (!complete)
      return fileError(path, "its typed data does not hold the " +
                                 std::to_string(*count) + " elements of " +
                                 tensor.describe());
  }
  if (!packed) {
    tensor.data = std::move(stored);
    return tensor;
  }
  tensor.data.resize(*count);
  bool isSigned = *dtype == DType::i4 || *dtype == DType::i2;
  unpackElements(stored.data(), *count, bits, isSigned, tensor.data.data());
  return tensor;
}

Status writeTensorProto(const std::string &path, const HostTensor &tensor) {
  onnx::TensorProto proto;
  proto.set_name(tensor.name);
  proto.set_data_type(toOnnx(tensor.dtype));
  for (int64_t d : tensor.shape)
    proto.add_dims(d);
  if (unsigned bits = packedBits(tensor.dtype); bits < 8) {
    std::string packed((tensor.numElements() * bits + 7) / 8, '\0');
    packElements(tensor.data.data(), tensor.numElements(), bits,
                 reinterpret_cast<uint8_t *>(packed.data()));
    proto.set_raw_data(std::move(packed));
  } else {
    proto.set_raw_data(tensor.data.data(), tensor.data.size());
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return fileError(path, "cannot serialize the tensor");
  return writeFile(path, bytes);
}

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicSize = 6;

const std::map<std::string, DType> &npyTypes() {
  static const std::map<std::string, DType> types = {
      {"f2", DType::f16}, {"f4", DType::f32}, {"f8", DType::f64},
      {"i1", DType::i8},  {"i2", DType::i16}, {"i4", DType::i32},
      {"i8", DType::i64}, {"u1", DType::u8},  {"u2", DType::u16},
      {"u4", DType::u32}, {"u8", DType::u64}, {"b1", DType::i1}};
  return types;
}

} // namespace

Result<HostTensor> readNpy(const std::string &path) {
  Result<std::string> file = readFile(path);
  if (!file)
    return file.status();
  const std::string &bytes = *file;
  if (bytes.size() < 10 || bytes.compare(0, kNpyMagicSize, kNpyMagic) != 0)
    return fileError(path, "not a .npy file (no \\x93NUMPY magic)");
  int major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen =
        static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fileError(path, "truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return fileError(path, ".npy format version " + std::to_string(major) +
                               " is not supported");
  }
  if (bytes.size() < headerStart + headerLen)
    return fileError(path, "truncated .npy header");
  std::string header = bytes.substr(headerStart, headerLen);
  // {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
  std::smatch descr, fortran, shape;
  if (!std::regex_search(
          header, descr,
          std::regex("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'")) ||
      !std::regex_search(header, fortran,
                         std::regex("'fortran_order'\\s*:\\s*(True|False)")) ||
      !std::regex_search(header, shape,
                         std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    return fileError(path, "unreadable .npy header: " + header);
  std::string order = descr[1], kind = descr[2], size = descr[3];
  auto type = npyTypes().find(kind + size);
  if (type == npyTypes().end() || order == ">")
    return fileError(path, "NumPy dtype '" + order + kind + size +
                               "' is not supported (little-endian bool, "
                               "int, uint and float only)");
  if (fortran[1] == "True")
    return fileError(path, "Fortran-ordered arrays are not supported (save "
                           "with np.ascontiguousarray)");
  HostTensor tensor;
  tensor.name = fs::path(path).stem().string();
  tensor.dtype = type->second;
  std::string dims = shape[1];
  std::regex number("\\d+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number);
       it != std::sregex_iterator(); ++it) {
    const std::string text = it->str();
    if (text.size() > 18)
      return fileError(path, "dim " + text + " is too large");
    tensor.shape.push_back(std::stoll(text));
  }
  std::optional<int64_t> count = countElements(tensor.shape);
  size_t dataStart = headerStart + headerLen;
  int64_t expected =
      count ? *count * static_cast<int64_t>(elementSize(tensor.dtype)) : -1;
  if (!count || static_cast<int64_t>(bytes.size() - dataStart) != expected)
    return fileError(path, "holds " + std::to_string(bytes.size() - dataStart) +
                               " bytes of data, " + tensor.describe() +
                               " needs " + std::to_string(expected));
  tensor.data.assign(bytes.begin() + dataStart, bytes.end());
  return tensor;
}

Status writeNpy(const std::string &path, const HostTensor &tensor) {
  std::string descr;
  for (const auto &[code, type] : npyTypes())
    if (type == tensor.dtype)
      descr = (elementSize(type) == 1 ? "|" : "<") + code;
  if (descr.empty())
    return fileError(path, std::string("NumPy has no type for ") +
                               dtypeName(tensor.dtype));
  std::string shape;
  for (int64_t d : tensor.shape)
    shape += std::to_string(d) + ", ";
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 1); // (2, 3) but (4,) for rank 1
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Pad with spaces to a multiple of 64 bytes, ending in a newline.
  size_t total = kNpyMagicSize + 4 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes(kNpyMagic, kNpyMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(tensor.data.data()),
               tensor.data.size());
  return writeFile(path, bytes);
}

Result<std::vector<HostTensor>> readTensorDir(const std::string &dir,
                                              const std::string &prefix) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::error("'" + dir + "' is not a folder");
  std::map<int64_t, std::string> numbered;
  std::vector<std::string> npy;
  // "<prefix>_<digits>.pb", matched by hand: the prefix is not a regex.
  auto indexOf = [&](const std::string &name) -> std::optional<int64_t> {
    std::string head = prefix + "_";
    if (name.size() <= head.size() + 3 || name.compare(0, head.size(), head) ||
        name.compare(name.size() - 3, 3, ".pb"))
      return std::nullopt;
    std::string digits =
        name.substr(head.size(), name.size() - head.size() - 3);
    if (digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), ::isdigit))
      return std::nullopt;
    return std::stoll(digits);
  };
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (std::optional<int64_t> index = indexOf(name))
      numbered[*index] = entry.path().string();
    else if (entry.path().extension() == ".npy")
      npy.push_back(entry.path().string());
  }
  std::vector<HostTensor> tensors;
  if (!numbered.empty()) {
    int64_t next = 0;
    for (const auto &[index, path] : numbered) {
      if (index != next)
        return Status::error("'" + dir + "' has no " + prefix + "_" +
                             std::to_string(next) + ".pb but has " + path);
      ++next;
      Result<HostTensor> tensor = readTensorProto(path);
      if (!tensor)
        return tensor.status();
      tensors.push_back(std::move(*tensor));
    }
    return tensors;
  }
  if (npy.empty())
    return Status::error("'" + dir + "' holds no " + prefix +
                         "_N.pb and no .npy files");
  std::sort(npy.begin(), npy.end());
  for (const std::string &path : npy) {
    Result<HostTensor> tensor = readNpy(path);
    if (!tensor)
      return tensor.status();
    tensors.push_back(std::move(*tensor));
  }
  return tensors;
}

} // namespace dsr1
