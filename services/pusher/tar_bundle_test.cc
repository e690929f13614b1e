#include "services/pusher/tar_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mlab::pusher {
namespace {

constexpr char kReference[] =
    "external/shared_testdata/etl/storage/testdata/"
    "20200318T003853.425987Z-ndt7-mlab3-syd03-ndt.tgz";
constexpr char kTcpinfoReference[] =
    "external/shared_testdata/etl/parser/testdata/"
    "20190516T013026.744845Z-tcpinfo-mlab4-arn02-ndt.tgz";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Gunzip(const std::string& gz) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 16 + MAX_WBITS), Z_OK);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  s.avail_in = gz.size();
  std::string out;
  char buf[65536];
  int rc;
  do {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof(buf);
    rc = inflate(&s, Z_NO_FLUSH);
    EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << rc;
    out.append(buf, sizeof(buf) - s.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(s.avail_in, 0u) << "trailing bytes after the gzip member";
  inflateEnd(&s);
  return out;
}

struct Member {
  std::string name;
  int64_t mtime;
  int mode;
  std::string content;
};

// Reads a .tgz with libarchive, an independent reader.
std::vector<Member> ReadWithLibarchive(const std::string& tgz) {
  std::vector<Member> members;
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tgz.data(), tgz.size()), ARCHIVE_OK);
  struct archive_entry* entry;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    Member m;
    m.name = archive_entry_pathname(entry);
    m.mtime = archive_entry_mtime(entry);
    m.mode = archive_entry_perm(entry);
    m.content.resize(archive_entry_size(entry));
    if (!m.content.empty()) {
      EXPECT_EQ(archive_read_data(a, m.content.data(), m.content.size()),
                static_cast<la_ssize_t>(m.content.size()));
    }
    members.push_back(std::move(m));
  }
  archive_read_free(a);
  return members;
}

std::map<std::string, std::string> ReferenceRecords() {
  return {{"MLAB.datatype", "ndt7"},
          {"MLAB.experiment.name", "ndt"},
          {"MLAB.pusher.image", "measurementlab/pusher:v1.16"},
          {"MLAB.pusher.src.url", "https://github.com/m-lab/pusher/tree/v1.16"},
          {"MLAB.server.name", "mlab3.syd03.measurement-lab.org"}};
}

// Extracts (name, mtime, content) per member straight from the tar bytes, so the test does not
// depend on any reader's handling of PAX records.
std::vector<Member> ParseTarMembers(const std::string& tar) {
  std::vector<Member> members;
  size_t off = 0;
  while (off + 512 <= tar.size()) {
    const char* h = tar.data() + off;
    if (h[0] == '\0') break;
    std::string name(h, strnlen(h, 100));
    int64_t size = std::stoll(std::string(h + 124, 11), nullptr, 8);
    int64_t mtime = std::stoll(std::string(h + 136, 11), nullptr, 8);
    char type = h[156];
    off += 512;
    if (type == '0') members.push_back({name, mtime, 0666, tar.substr(off, size)});
    off += (size + 511) / 512 * 512;
  }
  return members;
}

// The records of every PAX 'x' header, in order.
std::vector<std::map<std::string, std::string>> ParsePaxHeaders(const std::string& tar) {
  std::vector<std::map<std::string, std::string>> out;
  size_t off = 0;
  while (off + 512 <= tar.size() && tar[off] != '\0') {
    const char* h = tar.data() + off;
    int64_t size = std::stoll(std::string(h + 124, 11), nullptr, 8);
    off += 512;
    if (h[156] == 'x') {
      std::map<std::string, std::string> records;
      std::string payload = tar.substr(off, size);
      size_t p = 0;
      while (p < payload.size()) {
        size_t space = payload.find(' ', p);
        size_t len = std::stoul(payload.substr(p, space - p));
        std::string kv = payload.substr(space + 1, len - (space + 1 - p) - 1);
        records[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        p += len;
      }
      out.push_back(records);
    }
    off += (size + 511) / 512 * 512;
  }
  return out;
}

TEST(TarBundleTest, RebuildsTheUpstreamArchiveByteForByte) {
  std::string reference = ReadFile(kReference);
  ASSERT_EQ(reference.size(), 522713u) << "missing " << kReference;
  std::string reference_tar = Gunzip(reference);
  std::vector<Member> members = ParseTarMembers(reference_tar);
  ASSERT_EQ(members.size(), 114u);

  TarBundle bundle(ReferenceRecords());
  for (const Member& m : members) bundle.Add(m.name, m.mtime, m.content);
  EXPECT_EQ(bundle.member_count(), 114);
  std::string ours = bundle.Finish();

  // The gzip container matches Go's exactly; deflate bytes may differ (zlib vs Go's flate).
  ASSERT_GE(ours.size(), 10u);
  EXPECT_EQ(ours.substr(0, 10), reference.substr(0, 10));
  EXPECT_EQ(ours.substr(0, 10), std::string("\x1f\x8b\x08\0\0\0\0\0\0\xff", 10));
  std::string our_tar = Gunzip(ours);
  EXPECT_EQ(our_tar.size(), reference_tar.size());
  EXPECT_TRUE(our_tar == reference_tar) << "tar bytes differ from upstream's";
}

TEST(TarBundleTest, LibarchiveSeesPaxRecordsModeAndMtime) {
  std::map<std::string, std::string> records = {{"MLAB.datatype", "tcpinfo"},
                                                {"MLAB.server.name", "mlab1.lga03"}};
  TarBundle bundle(records);
  bundle.Add("2024/05/01/a.jsonl.zst", 1714521600, "hello");
  bundle.Add("2024/05/01/empty", 1714521601, "");
  std::string long_name = "2024/05/01/" + std::string(150, 'x') + ".json";
  bundle.Add(long_name, 1714521602, std::string(1000, 'y'));
  std::string tgz = bundle.Finish();
  std::vector<Member> read = ReadWithLibarchive(tgz);
  ASSERT_EQ(read.size(), 3u);
  std::vector<std::map<std::string, std::string>> pax = ParsePaxHeaders(Gunzip(tgz));
  ASSERT_EQ(pax.size(), 3u);
  EXPECT_EQ(pax[0], records);
  EXPECT_EQ(pax[2].at("path"), long_name);
  EXPECT_EQ(read[0].name, "2024/05/01/a.jsonl.zst");
  EXPECT_EQ(read[0].content, "hello");
  EXPECT_EQ(read[0].mode, 0666);
  EXPECT_EQ(read[0].mtime, 1714521600);
  EXPECT_EQ(read[1].content, "");
  EXPECT_EQ(read[2].name, long_name);
  EXPECT_EQ(read[2].content, std::string(1000, 'y'));
}

TEST(TarBundleTest, SyncFlushAfterEveryMember) {
  TarBundle bundle(std::map<std::string, std::string>{{"MLAB.datatype", "x"}});
  bundle.Add("a", 1, "aaaa");
  size_t after_one = bundle.compressed_size();
  // A sync flush ends with an empty stored block: 00 00 ff ff.
  std::string tgz = bundle.Finish();
  ASSERT_GT(after_one, 14u);
  EXPECT_EQ(tgz.substr(after_one - 4, 4), std::string("\0\0\xff\xff", 4));
}

TEST(TarBundleTest, SameInputSameBytes) {
  auto build = [] {
    TarBundle bundle(std::map<std::string, std::string>{{"MLAB.datatype", "pcap"}});
    bundle.Add("2024/05/01/a", 10, std::string(70000, 'q'));
    bundle.Add("2024/05/01/b", 11, "zz");
    return bundle.Finish();
  };
  EXPECT_EQ(build(), build());
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  for (char& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

TEST(TarBundleTest, RecognisesCompressedPayloads) {
  EXPECT_TRUE(TarBundle::AlreadyCompressed(std::string("\x1f\x8b\x08\x00", 4)));
  EXPECT_TRUE(TarBundle::AlreadyCompressed(std::string("\x28\xb5\x2f\xfd\x00", 5)));
  EXPECT_TRUE(TarBundle::AlreadyCompressed(std::string("\xfd" "7zXZ\x00", 6)));
  EXPECT_TRUE(TarBundle::AlreadyCompressed("BZh91AY"));
  EXPECT_FALSE(TarBundle::AlreadyCompressed("{\"UUID\":\"x\"}"));
  EXPECT_FALSE(TarBundle::AlreadyCompressed(std::string("\x1f", 1)));
  EXPECT_FALSE(TarBundle::AlreadyCompressed(""));
}

TEST(TarBundleTest, CompressedPayloadsAreStoredTextIsDeflated) {
  // A .gz member whose bytes would deflate well (a run of 'z') is stored: the archive grows by
  // about its size. A text member next to it is still deflated, and all read back exactly.
  const std::string gz = std::string("\x1f\x8b\x08\x00", 4) + std::string(200000, 'z');
  const std::string zst = std::string("\x28\xb5\x2f\xfd", 4) + RandomBytes(70000, 7);
  const std::string text(200000, 't');
  TarBundle bundle(std::map<std::string, std::string>{{"MLAB.datatype", "pcap"}});
  bundle.Add("2024/05/01/a.json", 1, text);
  size_t after_text = bundle.compressed_size();
  bundle.Add("2024/05/01/b.pcap.gz", 2, gz);
  size_t after_gz = bundle.compressed_size();
  bundle.Add("2024/05/01/c.jsonl.zst", 3, zst);
  bundle.Add("2024/05/01/d.json", 4, text);
  size_t after_d = bundle.compressed_size();
  std::string tgz = bundle.Finish();
  EXPECT_LT(after_text, 2000u);
  EXPECT_GE(after_gz - after_text, gz.size());
  EXPECT_LT(after_gz - after_text, gz.size() + 2000);
  // The level is back to the default for the next text member: it deflates to almost nothing.
  EXPECT_LT(after_d - after_gz, zst.size() + 3000);
  std::vector<Member> read = ReadWithLibarchive(tgz);
  ASSERT_EQ(read.size(), 4u);
  EXPECT_TRUE(read[0].content == text);
  EXPECT_TRUE(read[1].content == gz);
  EXPECT_TRUE(read[2].content == zst);
  EXPECT_TRUE(read[3].content == text);
  EXPECT_EQ(Gunzip(tgz).size() % 512, 0u);
}

TEST(TarBundleTest, StoredPayloadsSameInputSameBytes) {
  // A restarted pusher rebuilds a journaled archive byte for byte: the level choice must be too.
  auto build = [] {
    TarBundle bundle(std::map<std::string, std::string>{{"MLAB.datatype", "tcpinfo"}});
    bundle.Add("2024/05/01/a.jsonl.zst", 10,
               std::string("\x28\xb5\x2f\xfd", 4) + RandomBytes(150000, 3));
    bundle.Add("2024/05/01/b.json", 11, std::string(5000, 'j'));
    bundle.Add("2024/05/01/c.pcap.gz", 12, std::string("\x1f\x8b", 2) + RandomBytes(99, 4));
    return bundle.Finish();
  };
  EXPECT_EQ(build(), build());
}

TEST(TarBundleTest, PaxLengthPrefixCountsItself) {
  // "8 a=bcd\n" is 8 bytes long, its own prefix included.
  EXPECT_EQ(TarBundle::PaxPayload({{"a", "bcd"}}), "8 a=bcd\n");
  // 97 bytes besides the prefix: a 2-digit prefix makes 99; 99 more would need 3 digits.
  std::string value(93, 'v');
  std::string record = TarBundle::PaxPayload({{"k", value}});
  EXPECT_EQ(record, "99 k=" + value + "\n");
  EXPECT_EQ(record.size(), 99u);
  std::string value2(95, 'v');
  std::string record2 = TarBundle::PaxPayload({{"k", value2}});
  EXPECT_EQ(record2.size(), std::stoul(record2.substr(0, record2.find(' '))));
}

TEST(TarBundleTest, RoundsHalfUpLikeGo) {
  EXPECT_EQ(TarBundle::RoundToSeconds(100, 499999999), 100);
  EXPECT_EQ(TarBundle::RoundToSeconds(100, 500000000), 101);
}

TEST(TarBundleTest, TcpinfoReferenceLayoutReadsBack) {
  // The 2019 tcpinfo archive predates PAX records; its members still read the same way.
  std::string reference = ReadFile(kTcpinfoReference);
  ASSERT_EQ(reference.size(), 604004u);
  std::vector<Member> members = ParseTarMembers(Gunzip(reference));
  ASSERT_EQ(members.size(), 364u);
  TarBundle bundle(std::map<std::string, std::string>{});
  for (const Member& m : members) bundle.Add(m.name, m.mtime, m.content);
  std::string ours = Gunzip(bundle.Finish());
  EXPECT_TRUE(ours == Gunzip(reference)) << "tar bytes differ from the 2019 archive";
}

}  // namespace
}  // namespace mlab::pusher
