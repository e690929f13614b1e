// The gRPC Annotator service on a real unix socket.
#include "services/uuid-annotator/annotator_service.h"

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/annotator.grpc.pb.h"
#include "services/uuid-annotator/test_datasets.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

class AnnotatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::FillStore(&store_);
    server_ = std::make_unique<AnnotatorServer>(&store_, dir_.File("annotator.sock"));
    ASSERT_TRUE(server_->Start().ok());
    stub_ = mlab::annotator::Annotator::NewStub(
        grpc::CreateChannel("unix:" + server_->socket_path(), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Call(const std::vector<std::string>& ips, mlab::annotator::AnnotateResponse* out) {
    mlab::annotator::AnnotateRequest request;
    for (const std::string& ip : ips) request.add_ips(ip);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->Annotate(&context, request, out);
  }

  testing::TempDir dir_;
  DatasetStore store_;
  std::unique_ptr<AnnotatorServer> server_;
  std::unique_ptr<mlab::annotator::Annotator::Stub> stub_;
};

TEST_F(AnnotatorServiceTest, AnnotatesABatch) {
  mlab::annotator::AnnotateResponse response;
  ASSERT_TRUE(
      Call({"2.125.160.216", "::1", "bad", "223.252.176.1", "::ffff:81.2.69.142"}, &response).ok());
  const auto& a = response.annotations();
  EXPECT_EQ(a.size(), 4);  // "bad" is left out.
  const auto& boxford = a.at("2.125.160.216");
  EXPECT_EQ(boxford.geo().city(), "Boxford");
  EXPECT_EQ(boxford.geo().subdivision2_name(), "West Berkshire");
  EXPECT_EQ(boxford.geo().latitude(), 51.75);
  EXPECT_EQ(boxford.geo().accuracy_radius_km(), 100);
  EXPECT_EQ(boxford.network().cidr(), "2.120.0.0/13");
  EXPECT_EQ(boxford.network().as_number(), 5607u);
  EXPECT_EQ(boxford.network().as_name(), "Sky UK Limited");
  EXPECT_TRUE(a.at("::1").geo().missing());
  EXPECT_TRUE(a.at("::1").network().missing());
  const auto& moas = a.at("223.252.176.1").network();
  ASSERT_EQ(moas.systems_size(), 2);
  EXPECT_EQ(moas.systems(1).asns(0), 133107u);
  // Keyed by the query string exactly as sent.
  EXPECT_EQ(a.at("::ffff:81.2.69.142").geo().city(), "London");
}

TEST_F(AnnotatorServiceTest, NoValidAddressIsInvalidArgument) {
  mlab::annotator::AnnotateResponse response;
  EXPECT_EQ(Call({"bad", ""}, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Call({}, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AnnotatorServiceTest, TenThousandAddressesInOneCall) {
  std::vector<std::string> ips;
  for (int i = 0; i < 10000; ++i) {
    ips.push_back(absl::StrCat(1 + i % 223, ".", i / 223 % 256, ".", i % 7, ".1"));
  }
  mlab::annotator::AnnotateResponse response;
  ASSERT_TRUE(Call(ips, &response).ok());
  EXPECT_EQ(response.annotations_size(), 10000);
}

TEST_F(AnnotatorServiceTest, GeoLeftOutWhenTheDatabaseCannotAnswer) {
  Datasets data = *store_.Get();
  auto wrong = GeoDatabase::FromSource(
      testing::ReadFileOrDie(testing::TestData("uuid-annotator/testdata/wrongtype.tar.gz")));
  ASSERT_TRUE(wrong.ok());
  data.geo = *std::move(wrong);
  mlab::annotator::AnnotateRequest request;
  request.add_ips("2.125.160.216");
  mlab::annotator::AnnotateResponse response;
  ASSERT_TRUE(Annotate(data, request, &response).ok());
  EXPECT_FALSE(response.annotations().at("2.125.160.216").has_geo());
  EXPECT_TRUE(response.annotations().at("2.125.160.216").has_network());
}

TEST(AnnotatorServerTest, RefusesALiveSocketAndReplacesAStaleOne) {
  testing::TempDir dir;
  DatasetStore store;
  const std::string path = dir.File("a.sock");
  AnnotatorServer first(&store, path);
  ASSERT_TRUE(first.Start().ok());
  AnnotatorServer second(&store, path);
  EXPECT_FALSE(second.Start().ok());
  first.Shutdown();
  testing::WriteFileOrDie(dir.File("plain"), "x");
  AnnotatorServer third(&store, dir.File("plain"));
  EXPECT_FALSE(third.Start().ok());  // Never removes a file that is not a socket.
  AnnotatorServer fourth(&store, path);
  EXPECT_TRUE(fourth.Start().ok());
}

}  // namespace
}  // namespace mlab::uuid_annotator
