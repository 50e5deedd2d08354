//===- TensorIOTest.cpp - the runtime's tensor files and comparisons ------===//
//
// Reads files written by numpy and onnx (test/unit/data, values listed in its
// README), round-trips through our writers, and checks the allclose rules.
//
//===----------------------------------------------------------------------===//

#include "runtime/TensorIO.h"
#include "runtime/Compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

using namespace dsr1;
namespace fs = std::filesystem;

namespace {

std::string data(const std::string &name) {
  return std::string(DSR1_TEST_DATA_DIR) + "/" + name;
}

std::vector<double> values(const HostTensor &t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numElements(); ++i)
    out.push_back(t.elementAsDouble(i));
  return out;
}

HostTensor f32Tensor(std::vector<int64_t> shape, std::vector<float> v) {
  HostTensor t;
  t.name = "t";
  t.dtype = DType::f32;
  t.shape = std::move(shape);
  t.data.resize(v.size() * 4);
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

TEST(TensorIOTest, ReadsNumpyFiles) {
  Result<HostTensor> f = readNpy(data("f32_2x3.npy"));
  ASSERT_TRUE(f.isOk()) << f.status().message();
  EXPECT_EQ(f->name, "f32_2x3");
  EXPECT_EQ(f->describe(), "f32[2x3]");
  EXPECT_EQ(values(*f),
            (std::vector<double>{1.5, -2.0, 3.25, 0.0, double(1e-3f), -7.0}));

  Result<HostTensor> i = readNpy(data("i64_vec.npy"));
  ASSERT_TRUE(i.isOk()) << i.status().message();
  int64_t big;
  std::memcpy(&big, i->data.data() + 16, 8);
  EXPECT_EQ(big, 9007199254740993); // Exact, not through a double.

  Result<HostTensor> b = readNpy(data("bool_2x2.npy"));
  ASSERT_TRUE(b.isOk()) << b.status().message();
  EXPECT_EQ(b->dtype, DType::i1);
  EXPECT_EQ(values(*b), (std::vector<double>{1, 0, 0, 1}));

  Result<HostTensor> h = readNpy(data("f16_3.npy"));
  ASSERT_TRUE(h.isOk()) << h.status().message();
  EXPECT_EQ(values(*h), (std::vector<double>{1.0, -0.5, 65504.0}));
}

TEST(TensorIOTest, ReadsTensorProtos) {
  Result<HostTensor> x = readTensorProto(data("input_0.pb"));
  ASSERT_TRUE(x.isOk()) << x.status().message();
  EXPECT_EQ(x->name, "x");
  EXPECT_EQ(values(*x),
            (std::vector<double>{1.5, -2.0, 3.25, 0.0, double(1e-3f), -7.0}));
  Result<HostTensor> typed = readTensorProto(data("typed_f32.pb"));
  ASSERT_TRUE(typed.isOk()) << typed.status().message();
  EXPECT_EQ(values(*typed), (std::vector<double>{0.25, -4.0}));
  Result<HostTensor> ints = readTensorProto(data("typed_i64.pb"));
  ASSERT_TRUE(ints.isOk()) << ints.status().message();
  EXPECT_EQ(values(*ints), (std::vector<double>{1, -2, 3}));
  Result<HostTensor> bf = readTensorProto(data("bf16.pb"));
  ASSERT_TRUE(bf.isOk()) << bf.status().message();
  EXPECT_EQ(bf->dtype, DType::bf16);
  EXPECT_EQ(values(*bf), (std::vector<double>{1.0, -3.0}));
}

TEST(TensorIOTest, ReadsNarrowTypes) {
  Result<HostTensor> f8 = readTensorProto(data("float8.pb"));
  ASSERT_TRUE(f8.isOk()) << f8.status().message();
  EXPECT_EQ(f8->describe(), "f8E4M3FN[2]");
  EXPECT_EQ(values(*f8), (std::vector<double>{1.0, 2.0}));
  // Packed in the file, a byte each (sign-extended) in memory.
  Result<HostTensor> i4 = readTensorProto(data("int4.pb"));
  ASSERT_TRUE(i4.isOk()) << i4.status().message();
  EXPECT_EQ(i4->describe(), "i4[3]");
  EXPECT_EQ(i4->data, (std::vector<uint8_t>{0xf8, 0x07, 0xff}));
  EXPECT_EQ(values(*i4), (std::vector<double>{-8, 7, -1}));
  Result<HostTensor> u2 = readTensorProto(data("uint2.pb"));
  ASSERT_TRUE(u2.isOk()) << u2.status().message();
  EXPECT_EQ(values(*u2), (std::vector<double>{3, 0, 1, 2, 3}));
}

// Values from the formats' definitions (sign, exponent, mantissa, bias).
TEST(TensorIOTest, DecodesNarrowFloats) {
  EXPECT_EQ(decodeNarrowFloat(DType::f8E4M3FN, 0x7e), 448.0);
  EXPECT_EQ(decodeNarrowFloat(DType::f8E4M3FN, 0x01), std::ldexp(1.0, -9));
  EXPECT_EQ(decodeNarrowFloat(DType::f8E4M3FN, 0xc0), -2.0);
  EXPECT_TRUE(std::isnan(decodeNarrowFloat(DType::f8E4M3FN, 0xff)));
  EXPECT_EQ(decodeNarrowFloat(DType::f8E4M3FNUZ, 0x7f), 240.0);
  EXPECT_TRUE(std::isnan(decodeNarrowFloat(DType::f8E4M3FNUZ, 0x80)));
  EXPECT_EQ(decodeNarrowFloat(DType::f8E5M2, 0x7b), 57344.0);
  EXPECT_EQ(decodeNarrowFloat(DType::f8E5M2, 0xfc), -INFINITY);
  EXPECT_TRUE(std::isnan(decodeNarrowFloat(DType::f8E5M2, 0x7d)));
  EXPECT_EQ(decodeNarrowFloat(DType::f8E5M2FNUZ, 0x7f), 57344.0);
  EXPECT_EQ(decodeNarrowFloat(DType::f8E8M0FNU, 0x7f), 1.0);
  EXPECT_EQ(decodeNarrowFloat(DType::f8E8M0FNU, 0x00), std::ldexp(1.0, -127));
  EXPECT_TRUE(std::isnan(decodeNarrowFloat(DType::f8E8M0FNU, 0xff)));
  EXPECT_EQ(decodeNarrowFloat(DType::f4E2M1FN, 0x7), 6.0);
  EXPECT_EQ(decodeNarrowFloat(DType::f4E2M1FN, 0x9), -0.5);
}

TEST(TensorIOTest, ReadsATestDataFolderInOrder) {
  Result<std::vector<HostTensor>> inputs =
      readTensorDir(DSR1_TEST_DATA_DIR, "input");
  ASSERT_TRUE(inputs.isOk()) << inputs.status().message();
  ASSERT_EQ(inputs->size(), 2u);
  EXPECT_EQ((*inputs)[0].name, "x");
  EXPECT_EQ((*inputs)[1].name, "ids");
  EXPECT_EQ(values((*inputs)[1]), (std::vector<double>{7, -8}));
}

TEST(TensorIOTest, RoundTripsThroughOurWriters) {
  fs::path dir = fs::temp_directory_path() / "dsr1-tensorio-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  HostTensor t = f32Tensor({2, 2}, {1.0f, -1.0f, NAN, INFINITY});
  ASSERT_TRUE(writeTensorProto((dir / "output_0.pb").string(), t).isOk());
  ASSERT_TRUE(writeNpy((dir / "b.npy").string(), t).isOk());
  HostTensor v = f32Tensor({3}, {4.0f, 5.0f, 6.0f});
  ASSERT_TRUE(writeNpy((dir / "a.npy").string(), v).isOk());
  Result<HostTensor> pb = readTensorProto((dir / "output_0.pb").string());
  ASSERT_TRUE(pb.isOk()) << pb.status().message();
  EXPECT_EQ(pb->data, t.data);
  EXPECT_EQ(pb->shape, t.shape);
  // The 4-bit types go out packed and come back a byte each; only the low
  // bits of a byte in memory are the value.
  HostTensor i4{"i4", DType::i4, {3}, {0x78, 0x07, 0x0f}};
  ASSERT_TRUE(writeTensorProto((dir / "i4.pb").string(), i4).isOk());
  Result<HostTensor> i4Back = readTensorProto((dir / "i4.pb").string());
  ASSERT_TRUE(i4Back.isOk()) << i4Back.status().message();
  EXPECT_EQ(values(*i4Back), (std::vector<double>{-8, 7, -1}));
  // Without <prefix>_N.pb files the folder's .npy files are read, by name.
  Result<std::vector<HostTensor>> npys = readTensorDir(dir.string(), "input");
  ASSERT_TRUE(npys.isOk()) << npys.status().message();
  ASSERT_EQ(npys->size(), 2u);
  EXPECT_EQ((*npys)[0].name, "a");
  EXPECT_EQ((*npys)[0].shape, (std::vector<int64_t>{3}));
  EXPECT_EQ((*npys)[1].data, t.data);
  fs::remove_all(dir);
}

TEST(TensorIOTest, RefusesWhatItCannotRead) {
  auto message = [](const Status &s) { return s.message(); };
  EXPECT_NE(message(readNpy(data("fortran.npy")).status()).find("Fortran"),
            std::string::npos);
  EXPECT_NE(message(readNpy(data("big_endian.npy")).status()).find("'>i4'"),
            std::string::npos);
  EXPECT_NE(message(readNpy(data("garbage.npy")).status()).find("magic"),
            std::string::npos);
  EXPECT_NE(
      message(readTensorProto(data("complex64.pb")).status()).find("COMPLEX64"),
      std::string::npos);
  EXPECT_NE(message(readTensorProto(data("short.pb")).status())
                .find("holds 8 bytes of data, f32[4] needs 16"),
            std::string::npos);
  EXPECT_NE(
      message(readTensorProto(data("missing.pb")).status()).find("cannot open"),
      std::string::npos);
  EXPECT_NE(message(readTensorDir(data("nowhere"), "input").status())
                .find("is not a folder"),
            std::string::npos);
}

TEST(CompareTest, FollowsAllclose) {
  HostTensor expected = f32Tensor({4}, {1.0f, 100.0f, NAN, -INFINITY});
  HostTensor close = f32Tensor({4}, {1.0005f, 100.05f, NAN, -INFINITY});
  // |a - e| <= atol + rtol * |e|: 5e-4 <= 1e-7 + 1e-3 and 0.05 <= 0.1.
  Comparison ok = compareTensors(close, expected, 1e-3, 1e-7);
  EXPECT_TRUE(ok.passed()) << ok.summary(4);
  EXPECT_NEAR(ok.maxAbsError, 0.05, 1e-5);
  HostTensor far = f32Tensor({4}, {1.0f, 100.2f, 0.0f, INFINITY});
  Comparison bad = compareTensors(far, expected, 1e-3, 1e-7);
  EXPECT_FALSE(bad.passed());
  EXPECT_EQ(bad.mismatches, 3); // 100.2, a number for NaN, +inf for -inf.
  EXPECT_EQ(bad.firstMismatch, 1);
  HostTensor reshaped = f32Tensor({2, 2}, {1.0f, 100.0f, NAN, -INFINITY});
  EXPECT_FALSE(compareTensors(reshaped, expected, 1e-3, 1e-7).comparable);
}

} // namespace
