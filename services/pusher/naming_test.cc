#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flags/flags.h"
#include "services/pusher/archive_name.h"
#include "services/pusher/backoff.h"
#include "services/pusher/checksums.h"
#include "services/pusher/datatype_spec.h"
#include "services/pusher/memoryless.h"
#include "services/pusher/node_name.h"

namespace mlab::pusher {
namespace {

TEST(DatatypeSpecTest, AcceptsBothUpstreamSyntaxes) {
  DatatypeList list;
  ASSERT_TRUE(ParseDatatypes("tcpinfo", &list).ok());
  ASSERT_TRUE(ParseDatatypes("pcap=0.25,ndt7", &list).ok());
  ASSERT_TRUE(ParseDatatypes("tcpinfo=1", &list).ok());  // Replaces, keeps the position.
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], (DatatypeSpec{"tcpinfo", 1.0}));
  EXPECT_EQ(list[1], (DatatypeSpec{"pcap", 0.25}));
  EXPECT_EQ(list[2], (DatatypeSpec{"ndt7", 1.0}));
  EXPECT_EQ(FormatDatatypes(list), "tcpinfo,pcap=0.25,ndt7");
}

TEST(DatatypeSpecTest, RejectsBadRatios) {
  DatatypeList list;
  EXPECT_FALSE(ParseDatatypes("pcap=1.5", &list).ok());
  EXPECT_FALSE(ParseDatatypes("pcap=-0.1", &list).ok());
  EXPECT_FALSE(ParseDatatypes("pcap=x", &list).ok());
  EXPECT_FALSE(ParseDatatypes("=0.5", &list).ok());
  EXPECT_TRUE(list.empty());
}

TEST(DatatypeSpecTest, WorksAsARepeatableFlag) {
  flags::Flag<DatatypeList> flag("datatype_for_test", {}, "");
  ASSERT_TRUE(flag.Set("a").ok());
  ASSERT_TRUE(flag.Set("b=0.5").ok());
  EXPECT_EQ(flag->size(), 2u);
}

TEST(NodeNameTest, UpstreamHostnameForms) {
  struct Case {
    const char* hostname;
    const char* node;  // nullptr: an error
  } cases[] = {
      {"mlab4.abc0t.measurement-lab.org", "mlab4-abc0t"},
      {"mlab1.lol01.measurement-lab.org", "mlab1-lol01"},
      {"mlab1-lol01.mlab-sandbox.measurement-lab.org", "mlab1-lol01"},
      {"mlab1-lol01.mlab-sandbox.measurement-lab.org-a9b8", "mlab1-lol01"},
      {"ndt-mlab1-lol01.mlab-sandbox.measurement-lab.org", "mlab1-lol01"},
      {"ndt-mlab1-lol01.mlab-sandbox.measurement-lab.org-a9b8", "mlab1-lol01"},
      {"mlab1d.lol01.measurement-lab.org", "mlab1d-lol01"},
      {"mlab1d-lol01.mlab-sandbox.measurement-lab.org", "mlab1d-lol01"},
      {"third-party", "third-party"},
      {"ndt-iupui-mlab1-lol01.measurement-lab.org", "mlab1-lol01"},
      {"ndt.iupui.mlab1.lol01.measurement-lab.org", "mlab1-lol01"},
      {"lol12345-abcdef01.mlab.sandbox.measurement-lab.org", "abcdef01-lol12345"},
      {"ndt-lol12345-abcdef01.mlab.sandbox.measurement-lab.org", "abcdef01-lol12345"},
      {"ndt-mlab1-lol01.mlab-sandbox.measurement-lab.org-a9b8-abcd", nullptr},
      {"ndtmlab1lol01.mlab-sandbox.measurement-lab.org", nullptr},
      {"ndt-mlab12-lol01.mlab-sandbox.measurement-lab.org", nullptr},
      {"mlab1-lol01-measurement-lab.org", nullptr},
      {"mlab1-lol01.mlab-sandbox.measurementlab.net", nullptr},
      {"mlab1=lol01.measurement-lab.org", nullptr},
      {"lol01.measurement-lab.org", nullptr},
      {"third-party.measurement-lab.org", nullptr},
      {"mlab1.lol01.mlab-staging.measurement-lab.org", nullptr},
      {"mlab1-lol01-rofl.mlab-staging.measurement-lab.org", nullptr},
      {"lol12345678901-abcdef01.mlab.sandbox.measurement-lab.org", nullptr},
      {"abcd12345-abcdef01.mlab.sandbox.measurement-lab.org", nullptr},
      {"ab12345-abcdef01.mlab.sandbox.measurement-lab.org", nullptr},
      {"-abc12345-abcdef01.mlab.sandbox.measurement-lab.org", nullptr},
      {"ndt--abcdef01.mlab.sandbox.measurement-lab.org", nullptr},
      {"ndt-abc1234-.mlab.sandbox.measurement-lab.org", nullptr},
      {"abc12345-abcdef789.mlab.sandbox.measurement-lab.org", nullptr},
      {"mlab.abc0t.measurement-lab.org", nullptr},
      {"mlab5.abc.measurement-lab.org", nullptr},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> node = NodeNameFromHostname(c.hostname);
    if (c.node == nullptr) {
      EXPECT_FALSE(node.ok()) << c.hostname << " gave " << *node;
    } else {
      ASSERT_TRUE(node.ok()) << c.hostname << ": " << node.status();
      EXPECT_EQ(*node, c.node) << c.hostname;
    }
  }
}

TEST(NodeNameTest, UniformNames) {
  EXPECT_TRUE(CheckUniformName("datatype", "hopannotation2").ok());
  EXPECT_FALSE(CheckUniformName("datatype", "2pcap").ok());
  EXPECT_FALSE(CheckUniformName("datatype", "Pcap").ok());
  EXPECT_FALSE(CheckUniformName("experiment", "ndt-7").ok());
  EXPECT_FALSE(CheckUniformName("experiment", "").ok());
}

TEST(ArchiveNamerTest, UpstreamLayout) {
  ArchiveNamer namer("ndt", "annotation2", "mlab1-lga03");
  absl::Time t = absl::FromCivil(absl::CivilSecond(2024, 5, 1, 1, 35, 2), absl::UTCTimeZone()) +
                 absl::Microseconds(123456);
  EXPECT_EQ(namer.Name("2024/05/01", t),
            "ndt/annotation2/2024/05/01/20240501T013502.123456Z-annotation2-mlab1-lga03-ndt.tgz");
  // Same instant again: the name still moves forward, by a microsecond.
  EXPECT_EQ(namer.Name("2024/05/01", t),
            "ndt/annotation2/2024/05/01/20240501T013502.123457Z-annotation2-mlab1-lga03-ndt.tgz");
  EXPECT_EQ(namer.Name("", t - absl::Hours(1)),
            "ndt/annotation2/20240501T013502.123458Z-annotation2-mlab1-lga03-ndt.tgz");
}

TEST(ArchiveNamerTest, SubdirIsTheFirstThreeDirectories) {
  EXPECT_EQ(SubdirOf("2024/05/01/x.json"), "2024/05/01");
  EXPECT_EQ(SubdirOf("2024/05/01/extra/x.json"), "2024/05/01");
  EXPECT_EQ(SubdirOf("2024/05/x.json"), "2024/05");
  EXPECT_EQ(SubdirOf("x.json"), "");
  // Found by archive_name_fuzzer: a null view splits into no parts (pop_back on empty was UB).
  EXPECT_EQ(SubdirOf(absl::string_view()), "");
  EXPECT_EQ(SubdirOf(""), "");
}

TEST(ArchiveNamerTest, Lint) {
  std::string why;
  EXPECT_EQ(LintRelativePath("2024/05/01/ndt-abc_1_00000000000000FF.json", &why), PathVerdict::kOk);
  EXPECT_EQ(LintRelativePath("2024/05/01/a:b.json", &why), PathVerdict::kOk);
  EXPECT_EQ(LintRelativePath("x.json", &why), PathVerdict::kStrange);
  EXPECT_EQ(LintRelativePath("2024/05/01/sub/x.json", &why), PathVerdict::kStrange);
  EXPECT_EQ(LintRelativePath("1999/05/01/x.json", &why), PathVerdict::kStrange);
  EXPECT_EQ(LintRelativePath("2024/05/01/.x.swp", &why), PathVerdict::kRejected);
  EXPECT_EQ(LintRelativePath("2024/05/01/x y.json", &why), PathVerdict::kRejected);
  EXPECT_EQ(LintRelativePath("2024/../01/x.json", &why), PathVerdict::kRejected);
  EXPECT_EQ(LintRelativePath("2024//01/x.json", &why), PathVerdict::kRejected);
  EXPECT_EQ(LintRelativePath("2024/05/01/\xc3\xa9.json", &why), PathVerdict::kRejected);
}

TEST(ChecksumsTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // Extending equals hashing the concatenation.
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), 0xE3069283u);
  std::string long_input(100000, 'x');
  EXPECT_EQ(Crc32c(long_input.substr(50001), Crc32c(long_input.substr(0, 50001))),
            Crc32c(long_input));
  EXPECT_EQ(Crc32cBase64(Crc32c("hello")), "mnG7TA==");  // As GCS reports it.
  EXPECT_EQ(HexEncode(Md5("hello")), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(BackoffTest, DoublesThenRandomisesBelowTheMaximum) {
  absl::BitGen gen;
  Backoff backoff(absl::Milliseconds(100), absl::Seconds(1));
  EXPECT_EQ(backoff.Next(gen), absl::Milliseconds(100));
  EXPECT_EQ(backoff.Next(gen), absl::Milliseconds(200));
  EXPECT_EQ(backoff.Next(gen), absl::Milliseconds(400));
  EXPECT_EQ(backoff.Next(gen), absl::Milliseconds(800));
  EXPECT_FALSE(backoff.at_max());
  for (int i = 0; i < 100; ++i) {
    absl::Duration d = backoff.Next(gen);
    EXPECT_GE(d, absl::Milliseconds(500));
    EXPECT_LT(d, absl::Seconds(1));
  }
  EXPECT_TRUE(backoff.at_max());
  backoff.Reset();
  EXPECT_EQ(backoff.Next(gen), absl::Milliseconds(100));
}

TEST(MemorylessTest, StaysWithinBoundsAndAveragesNearExpected) {
  absl::BitGen gen;
  MemorylessDelay delay{absl::Minutes(30), absl::Hours(1), absl::Hours(2)};
  absl::Duration total;
  for (int i = 0; i < 2000; ++i) {
    absl::Duration d = delay.Next(gen);
    ASSERT_GE(d, absl::Minutes(30));
    ASSERT_LE(d, absl::Hours(2));
    total += d;
  }
  absl::Duration mean = total / 2000;
  EXPECT_GT(mean, absl::Minutes(50));
  EXPECT_LT(mean, absl::Minutes(90));
  MemorylessDelay fixed{absl::Seconds(3), absl::Seconds(3), absl::Seconds(3)};
  EXPECT_EQ(fixed.Next(gen), absl::Seconds(3));
}

}  // namespace
}  // namespace mlab::pusher
