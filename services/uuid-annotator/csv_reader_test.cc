#include "services/uuid-annotator/csv_reader.h"

#include "gtest/gtest.h"

namespace mlab::uuid_annotator {
namespace {

using Records = std::vector<std::vector<std::string>>;

Records ReadAll(absl::string_view data, char delimiter = ',') {
  Records records;
  absl::Status status = ReadAllCsv(data, delimiter, &records);
  EXPECT_TRUE(status.ok()) << status;
  return records;
}

TEST(CsvReaderTest, QuotingAsGo) {
  EXPECT_EQ(ReadAll("asn,name\nAS1,\"Level 3 Parent, LLC\"\n"),
            (Records{{"asn", "name"}, {"AS1", "Level 3 Parent, LLC"}}));
  EXPECT_EQ(ReadAll("a,\"say \"\"hi\"\"\"\r\nb,\"two\nlines\"\n"),
            (Records{{"a", "say \"hi\""}, {"b", "two\nlines"}}));
  // Empty lines are skipped; a final line without \n (and its trailing \r) is read.
  EXPECT_EQ(ReadAll("a,b\n\n\nc,d\r"), (Records{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(ReadAll("a,\"\"\n"), (Records{{"a", ""}}));
  EXPECT_EQ(ReadAll("1.0.0.0\t24\t13335\n", '\t'), (Records{{"1.0.0.0", "24", "13335"}}));
}

TEST(CsvReaderTest, ErrorsAsGo) {
  Records records;
  EXPECT_FALSE(ReadAllCsv("a,b\nc\n", ',', &records).ok());            // Field count.
  EXPECT_FALSE(ReadAllCsv("a,b\"c\n", ',', &records).ok());            // Bare quote.
  EXPECT_FALSE(ReadAllCsv("a,\"b\"c\n", ',', &records).ok());          // Quote then text.
  EXPECT_FALSE(ReadAllCsv("a,\"unterminated\n", ',', &records).ok());  // Open quote at EOF.
}

TEST(CsvReaderTest, NextKeepsGoingAfterBadRecords) {
  CsvReader reader("a\tb\tc\nx\"y\tz\nd\te\nf\tg\th\ti\n", '\t');
  std::vector<std::string> record;
  EXPECT_EQ(reader.Next(&record), CsvReader::Result::kRecord);
  EXPECT_EQ(reader.Next(&record), CsvReader::Result::kSyntax);
  EXPECT_TRUE(record.empty());
  EXPECT_EQ(reader.Next(&record), CsvReader::Result::kFieldCount);
  EXPECT_EQ(record, (std::vector<std::string>{"d", "e"}));
  EXPECT_EQ(reader.Next(&record), CsvReader::Result::kFieldCount);
  EXPECT_EQ(record.size(), 4u);
  EXPECT_EQ(reader.Next(&record), CsvReader::Result::kEnd);
}

}  // namespace
}  // namespace mlab::uuid_annotator
