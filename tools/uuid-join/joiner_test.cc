#include "tools/uuid-join/joiner.h"

#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/uuid-join/archive_source.h"

namespace mlab::uuidjoin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char kTestData[] = "external/shared_testdata/";
const char kUUID[] = "ndt-knwp4_1583603744_000000000000590E";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_TRUE(in.good() || in.eof()) << path;
  return contents.str();
}

void Write(const std::string& path, const std::string& contents) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  out.resize(n);
  return out;
}

class JoinerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/uuidjoinXXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
  }
  void TearDown() override { fs::remove_all(root_); }

  // A spool tree with every datatype for kUUID, built from real upstream files.
  void WriteCompleteSpool() {
    std::string parser = absl::StrCat(kTestData, "etl/parser/testdata/");
    std::string spool = root_ + "/spool/ndt/";
    Write(spool + "ndt7/2020/03/18/ndt7-download-20200318T000657.568382877Z." + kUUID + ".json",
          Read(parser + "NDT7Result/ndt7-download-20200318T000657.568382877Z." + kUUID + ".json"));
    std::string tcpinfo;
    ASSERT_TRUE(Unzstd(Read(absl::StrCat(kTestData,
                                         "tcp-info/netlink/testdata/"
                                         "ndt-7hhhv_1559749627_0000000000062D84.00000."
                                         "jsonl.zst")),
                       &tcpinfo)
                    .ok());
    tcpinfo = absl::StrReplaceAll(tcpinfo, {{"ndt-7hhhv_1559749627_0000000000062D84", kUUID}});
    Write(spool + "tcpinfo/2020/03/18/" + kUUID + ".00000.jsonl.zst", Zstd(tcpinfo));
    Write(spool + "pcap/2020/03/18/" + kUUID + ".pcap.gz",
          Read(parser + "PCAP/ndt-nnwk2_1611335823_00000000000C2DA8.pcap.gz"));
    Write(
        spool + "annotation2/2020/03/18/" + kUUID + ".json",
        absl::StrReplaceAll(Read(parser + "Annotation2/ndt-njp6l_1585004303_00000000000170FA.json"),
                            {{"ndt-njp6l_1585004303_00000000000170FA", kUUID}}));
    Write(spool + "scamper1/2020/03/18/20200318T000710Z_" + kUUID + ".jsonl",
          absl::StrReplaceAll(
              Read(parser + "Scamper1/valid.jsonl"),
              {{"\"UUID\": \"0000000000\"", absl::StrCat("\"UUID\": \"", kUUID, "\"")}}));
    Write(
        spool + "hopannotation2/2020/03/18/20200318T000710Z_mlab1_2001:550:1b01:1::1.json",
        R"({"ID":"20200318_mlab1_2001:550:1b01:1::1","Timestamp":"2020-03-18T00:07:10Z",)"
        R"("Annotations":{"Geo":{"CountryCode":"US"},"Network":{"ASNumber":174,"ASName":"Cogent"}}})");
    // Staging leftovers are hidden and never joined.
    Write(spool + ".tmp-pcap/2020/03/18/" + kUUID + ".pcap.gz.x.staged", "partial");
  }

  std::string root_;
};

TEST_F(JoinerTest, JoinsEveryDatatypeOfOneTest) {
  WriteCompleteSpool();
  Joiner joiner;
  std::vector<std::string> errors;
  ASSERT_TRUE(VisitFiles(root_ + "/spool", [&](const std::string& path, const std::string& data) {
                absl::Status added = joiner.Add(path, data);
                if (!added.ok()) errors.push_back(std::string(added.message()));
              }).ok());
  EXPECT_THAT(errors, ElementsAre());
  ASSERT_EQ(joiner.records().size(), 1u);
  const TestRecord& record = joiner.records().at(kUUID);
  EXPECT_THAT(Joiner::MissingParts(record), ElementsAre());

  ASSERT_EQ(record.ndt7.size(), 1u);
  EXPECT_EQ(record.ndt7[0].direction, "download");
  EXPECT_GT(record.ndt7[0].mean_throughput_mbps, 0);
  EXPECT_GT(record.ndt7[0].min_rtt_us, 0);
  EXPECT_EQ(record.ndt7[0].measurements, 33);  // the sample has 33 server measurements

  ASSERT_TRUE(record.tcpinfo);
  EXPECT_EQ(record.tcpinfo->snapshots, 891);
  EXPECT_EQ(record.tcpinfo->bytes_sent, 3939771u);  // upstream's TestGetStats values
  EXPECT_EQ(record.tcpinfo->bytes_received, 1245u);
  EXPECT_EQ(record.tcpinfo->congestion_control, "cubic");

  ASSERT_TRUE(record.pcap);
  EXPECT_EQ(record.pcap->packets, 15u);  // ETL's expectations for this file
  EXPECT_EQ(record.pcap->duration_ns, 134434000);

  ASSERT_TRUE(record.annotation);
  EXPECT_EQ(record.annotation->as_number, 15169u);
  EXPECT_EQ(record.annotation->cidr, "35.184.0.0/13");
  EXPECT_EQ(record.annotation->server_site, "lga1t");

  ASSERT_TRUE(record.traceroute);
  ASSERT_EQ(record.traceroute->hops.size(), 2u);
  std::string json = joiner.ToJson(record);
  EXPECT_THAT(json, HasSubstr(R"("IP":"2001:550:1b01:1::1","CountryCode":"US","ASNumber":174)"));
  EXPECT_THAT(json, HasSubstr(R"("Missing":[])"));
}

TEST_F(JoinerTest, ReadsPusherArchivesAndReportsWhatIsMissing) {
  Joiner joiner;
  ASSERT_TRUE(VisitFiles(absl::StrCat(kTestData,
                                      "etl/storage/testdata/"
                                      "20200318T003853.425987Z-ndt7-mlab3-syd03-ndt.tgz"),
                         [&](const std::string& path, const std::string& data) {
                           EXPECT_TRUE(joiner.Add(path, data).ok()) << path;
                         })
                  .ok());
  EXPECT_EQ(joiner.files_read(), 114);
  // Download and upload run on separate connections, so each has its own UUID.
  EXPECT_EQ(joiner.records().size(), 114u);
  for (const auto& [uuid, record] : joiner.records()) {
    EXPECT_EQ(record.ndt7.size(), 1u) << uuid;
    EXPECT_THAT(Joiner::MissingParts(record),
                ElementsAre("tcpinfo", "pcap", "annotation2", "traceroute"));
  }
}

TEST_F(JoinerTest, MalformedFilesAreCountedNotFatal) {
  Joiner joiner;
  EXPECT_FALSE(joiner.Add("/spool/ndt/pcap/2020/03/18/x.pcap.gz", "not gzip").ok());
  EXPECT_FALSE(joiner.Add("/spool/ndt/tcpinfo/2020/03/18/x.00000.jsonl.zst", "not zstd").ok());
  EXPECT_FALSE(
      joiner
          .Add("/spool/ndt/annotation2/2020/03/18/x.json",
               Read(absl::StrCat(kTestData, "etl/parser/testdata/Annotation2/ndt-corrupt.json")))
          .ok());
  EXPECT_FALSE(
      joiner
          .Add("/spool/ndt/scamper1/2020/03/18/x.jsonl",
               Read(absl::StrCat(kTestData, "etl/parser/testdata/Scamper1/badformat.jsonl")))
          .ok());
  EXPECT_TRUE(joiner.Add("/spool/ndt/other/readme.txt", "ignored").ok());
  EXPECT_EQ(joiner.files_read(), 4);
  EXPECT_EQ(joiner.files_failed(), 4);
  EXPECT_TRUE(joiner.records().empty());
}

}  // namespace
}  // namespace mlab::uuidjoin
