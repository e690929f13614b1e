#include "services/tcp-info/zstd_file_writer.h"

#include <unistd.h>
#include <zstd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"
#include "services/tcp-info/testing/temp_dir.h"
#include "services/tcp-info/zstd_decode.h"

namespace mlab::tcpinfo {
namespace {

class ZstdFileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(spool_.Init().ok()); }

  std::unique_ptr<ZstdFileWriter> NewWriter(absl::string_view name = "x.00000.jsonl.zst") {
    absl::StatusOr<std::unique_ptr<spool::SpoolFile>> file = spool_.Create(date_, name);
    EXPECT_TRUE(file.ok()) << file.status();
    absl::StatusOr<std::unique_ptr<ZstdFileWriter>> writer =
        ZstdFileWriter::Create(*std::move(file));
    EXPECT_TRUE(writer.ok()) << writer.status();
    return *std::move(writer);
  }

  std::string FinalPath(absl::string_view name = "x.00000.jsonl.zst") {
    return *spool_.FinalPath(date_, name);
  }

  // The one staged file of this spool.
  std::string StagedPath() {
    std::vector<std::string> staged = testing::ListFiles(spool_.staging_dir());
    EXPECT_EQ(staged.size(), 1u);
    return staged.empty() ? "" : spool_.staging_dir() + "/" + staged[0];
  }

  testing::TempDir dir_;
  spool::SpoolDir spool_{dir_.path() + "/tcpinfo"};
  absl::Time date_ = absl::FromUnixSeconds(1561939212);
};

std::string Lines(int from, int to) {
  std::string text;
  for (int i = from; i < to; ++i) {
    absl::StrAppend(&text, "{\"Timestamp\":\"2019-07-01T00:00:12.092Z\",\"n\":", i, "}\n");
  }
  return text;
}

TEST_F(ZstdFileWriterTest, WritesOneChecksummedFrameVisibleOnlyAfterFinish) {
  std::unique_ptr<ZstdFileWriter> writer = NewWriter();
  const std::string text = Lines(0, 2000);
  for (size_t at = 0; at < text.size(); at += 777) {
    ASSERT_TRUE(writer->Write(text.substr(at, 777)).ok());
  }
  EXPECT_NE(access(FinalPath().c_str(), F_OK), 0);
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(writer->uncompressed_bytes(), text.size());

  absl::StatusOr<std::string> compressed = fileio::ReadWholeFile(FinalPath());
  ASSERT_TRUE(compressed.ok()) << compressed.status();
  EXPECT_EQ(writer->compressed_bytes(), compressed->size());
  EXPECT_LT(compressed->size(), text.size() / 10);
  // Exactly one frame spans the file.
  EXPECT_EQ(ZSTD_findFrameCompressedSize(compressed->data(), compressed->size()),
            compressed->size());
  // Frame header descriptor: checksum flag set, no content size (as the zstd CLI on a pipe).
  const uint8_t descriptor = static_cast<uint8_t>((*compressed)[4]);
  EXPECT_EQ((descriptor >> 2) & 1, 1);
  EXPECT_EQ(descriptor >> 6, 0);
  EXPECT_EQ((descriptor >> 5) & 1, 0);
  absl::StatusOr<std::string> decoded = Decompress(*compressed);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(*decoded == text);
  EXPECT_TRUE(testing::ListFiles(spool_.staging_dir()).empty());
}

TEST_F(ZstdFileWriterTest, FlushMakesEverythingSoFarDecodableFromTheStagedFile) {
  std::unique_ptr<ZstdFileWriter> writer = NewWriter();
  const std::string first = Lines(0, 50);
  ASSERT_TRUE(writer->Write(first).ok());
  EXPECT_TRUE(writer->dirty());
  ASSERT_TRUE(writer->Flush().ok());
  EXPECT_FALSE(writer->dirty());
  ASSERT_TRUE(writer->Write(Lines(50, 60)).ok());  // buffered, not flushed

  absl::StatusOr<std::string> staged = fileio::ReadWholeFile(StagedPath());
  ASSERT_TRUE(staged.ok());
  ZstdPrefix prefix = DecompressPrefix(*staged);
  EXPECT_FALSE(prefix.complete);
  EXPECT_TRUE(absl::StartsWith(prefix.data, first)) << prefix.data.size();
}

TEST_F(ZstdFileWriterTest, DroppedWriterLeavesNoFile) {
  {
    std::unique_ptr<ZstdFileWriter> writer = NewWriter();
    ASSERT_TRUE(writer->Write(Lines(0, 10)).ok());
  }
  EXPECT_NE(access(FinalPath().c_str(), F_OK), 0);
  EXPECT_TRUE(testing::ListFiles(spool_.staging_dir()).empty());
}

TEST_F(ZstdFileWriterTest, NeverReplacesAnExistingArchive) {
  testing::WriteFileOrDie(FinalPath(), "keep me");
  std::unique_ptr<ZstdFileWriter> writer = NewWriter();
  ASSERT_TRUE(writer->Write(Lines(0, 10)).ok());
  EXPECT_EQ(writer->Finish().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*fileio::ReadWholeFile(FinalPath()), "keep me");
}

}  // namespace
}  // namespace mlab::tcpinfo
