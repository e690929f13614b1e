// Syntax tests for the list, key/value, file-backed and enum value types.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flags/flags.h"
#include "lib/testing/temp_dir.h"

namespace mlab::flags {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(StringListTest, RepeatAndCommaAppend) {
  Flag<StringList> flag("test.strings", {}, "");
  ASSERT_TRUE(flag.Set("a,b").ok());
  ASSERT_TRUE(flag.Set("c").ok());
  ASSERT_TRUE(flag.Set("d,,e,").ok());
  EXPECT_THAT(*flag, ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_EQ(flag.CurrentText(), "a,b,c,d,e");
  EXPECT_TRUE(flag.Set("").ok());
  EXPECT_EQ(flag->size(), 5u);
}

TEST(StringListTest, FirstSetReplacesDefault) {
  Flag<StringList> flag("test.strings", {"x", "y"}, "");
  EXPECT_EQ(flag.DefaultText(), "x,y");
  ASSERT_TRUE(flag.Set("a").ok());
  ASSERT_TRUE(flag.Set("b").ok());
  EXPECT_THAT(*flag, ElementsAre("a", "b"));
  flag.ResetForTest();
  EXPECT_THAT(*flag, ElementsAre("x", "y"));
}

TEST(KeyValuesTest, PairsRepeatAndOverwrite) {
  Flag<KeyValues> flag("test.kv", {}, "");
  ASSERT_TRUE(flag.Set("type=physical,deployment=byos").ok());
  ASSERT_TRUE(flag.Set("org=mlab").ok());
  ASSERT_TRUE(flag.Set("type=virtual").ok());
  ASSERT_TRUE(flag.Set("empty=,eq=a=b").ok());
  EXPECT_THAT(flag->pairs(),
              ElementsAre(Pair("type", "virtual"), Pair("deployment", "byos"), Pair("org", "mlab"),
                          Pair("empty", ""), Pair("eq", "a=b")));
  EXPECT_EQ(*flag->Find("org"), "mlab");
  EXPECT_EQ(flag->Find("missing"), nullptr);
  EXPECT_EQ(flag->ToMap().at("eq"), "a=b");
  EXPECT_EQ(flag.CurrentText(), "type=virtual,deployment=byos,org=mlab,empty=,eq=a=b");
}

TEST(KeyValuesTest, BadEntriesAddNothing) {
  Flag<KeyValues> flag("test.kv", {}, "");
  ASSERT_TRUE(flag.Set("a=1").ok());
  absl::Status status = flag.Set("b=2,tcpinfo");
  EXPECT_THAT(std::string(status.message()), HasSubstr("bad key/value \"tcpinfo\""));
  EXPECT_FALSE(flag.Set("=x").ok());
  EXPECT_FALSE(flag.Set("").ok());
  EXPECT_FALSE(flag.Set("a=1,,b=2").ok());
  EXPECT_THAT(flag->pairs(), ElementsAre(Pair("a", "1")));
}

TEST(KeyValuesTest, AtFileIsReadAndTrimmed) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("hostname", "  mlab1-lga03.mlab-oti.measurement-lab.org\n\n");
  Flag<KeyValues> flag("test.kv", {}, "");
  ASSERT_TRUE(flag.Set("MLAB.server.name=@" + path + ",plain=x").ok());
  EXPECT_EQ(*flag->Find("MLAB.server.name"), "mlab1-lga03.mlab-oti.measurement-lab.org");
  EXPECT_EQ(*flag->Find("plain"), "x");
  EXPECT_EQ(flag.CurrentText(), "MLAB.server.name=@" + path + ",plain=x");
  EXPECT_FALSE(flag.Set("x=@").ok());  // "@" names the empty path, as upstream

  absl::Status missing = flag.Set("x=@" + dir.path() + "/missing");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("/missing"));
}

TEST(FileBytesTest, ReadsRawUntrimmedBytes) {
  testing::TempDir dir;
  std::string raw("  prefix_123\n\0\xff\r\n", 17);
  std::string path = dir.WriteFile("prefix", raw);
  Flag<FileBytes> flag("test.file", {}, "");
  ASSERT_TRUE(flag.Set(path).ok());
  EXPECT_EQ(flag->content(), raw);
  EXPECT_EQ(flag->content().size(), 17u);
  EXPECT_EQ(flag->path(), path);
  EXPECT_EQ(flag.CurrentText(), path);

  EXPECT_FALSE(flag.Set(dir.path() + "/missing").ok());
  EXPECT_FALSE(flag.Set(dir.path()).ok());  // a directory is not readable as a file
  EXPECT_FALSE(flag.Set("").ok());
  EXPECT_EQ(flag->content(), raw);  // a failed Set keeps the old value

  std::string empty = dir.WriteFile("empty", "");
  ASSERT_TRUE(flag.Set(empty).ok());
  EXPECT_EQ(flag->content(), "");
}

TEST(FileBytesListTest, RepeatAndCommaReadEach) {
  testing::TempDir dir;
  std::string a = dir.WriteFile("a.pub", "key-a\n");
  std::string b = dir.WriteFile("b.pub", "key-b");
  std::string c = dir.WriteFile("c.pub", "");
  Flag<FileBytesList> flag("test.files", {}, "");
  ASSERT_TRUE(flag.Set(a + "," + b).ok());
  ASSERT_TRUE(flag.Set(c).ok());
  ASSERT_EQ(flag->size(), 3u);
  EXPECT_EQ((*flag)[0].content(), "key-a\n");
  EXPECT_EQ((*flag)[1].content(), "key-b");
  EXPECT_EQ((*flag)[2].content(), "");
  EXPECT_EQ(flag.CurrentText(), a + "," + b + "," + c);

  EXPECT_FALSE(flag.Set(a + "," + dir.path() + "/missing").ok());
  EXPECT_EQ(flag->size(), 3u);  // nothing appended from the failed Set
}

TEST(StringFileTest, LiteralOrRawFile) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("hostname", "mlab1-lga03.mlab-oti.measurement-lab.org\n");
  Flag<StringFile> flag("test.stringfile", StringFile("default"), "");
  EXPECT_EQ(flag->value(), "default");
  ASSERT_TRUE(flag.Set("literal").ok());
  EXPECT_EQ(flag->value(), "literal");
  EXPECT_EQ(flag->path(), "");
  ASSERT_TRUE(flag.Set("@" + path).ok());
  EXPECT_EQ(flag->value(), "mlab1-lga03.mlab-oti.measurement-lab.org\n");  // not trimmed
  EXPECT_EQ(flag->path(), path);
  EXPECT_EQ(flag.CurrentText(), "@" + path);
  ASSERT_TRUE(flag.Set("").ok());
  EXPECT_EQ(flag->value(), "");
  EXPECT_FALSE(flag.Set("@" + dir.path() + "/missing").ok());
  EXPECT_FALSE(flag.Set("@").ok());
}

TEST(EnumTest, OnlyOptions) {
  Flag<Enum> flag("test.enum", Enum("mda", {"mda", "regular"}), "");
  EXPECT_EQ(*flag, "mda");
  EXPECT_EQ(flag.TypeName(), "mda|regular");
  ASSERT_TRUE(flag.Set("regular").ok());
  EXPECT_EQ(flag->value(), "regular");
  absl::Status status = flag.Set("paris");
  EXPECT_EQ(status.message(), "\"paris\" is not one of: mda, regular");
  EXPECT_FALSE(flag.Set("").ok());
  EXPECT_FALSE(flag.Set("MDA").ok());
  EXPECT_EQ(flag->value(), "regular");
  flag.ResetForTest();
  EXPECT_EQ(*flag, "mda");
}

TEST(ByteCountFlagTest, SetAndPrint) {
  Flag<ByteCount> flag("test.bytes", ByteCount(20 * ByteCount::kMegabyte), "");
  EXPECT_EQ(flag.DefaultText(), "20MB");
  EXPECT_EQ(flag.TypeName(), "bytes");
  ASSERT_TRUE(flag.Set("50MB").ok());
  EXPECT_EQ(flag->bytes(), 50000000);
  EXPECT_FALSE(flag.Set("5MiB").ok());
  EXPECT_EQ(flag->bytes(), 50000000);
}

}  // namespace
}  // namespace mlab::flags
