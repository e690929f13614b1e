#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/spool/spool_dir.h"
#include "lib/testing/small_filesystem.h"
#include "services/pusher/bundler.h"
#include "services/pusher/checksums.h"
#include "services/pusher/journal.h"
#include "services/pusher/local_uploader.h"
#include "services/pusher/pusher.h"
#include "services/pusher/pusher_metrics.h"
#include "services/pusher/shipper.h"
#include "services/pusher/testing/test_util.h"

namespace mlab::pusher {
namespace {

using testing::ListFiles;
using testing::ReadFileOrDie;
using testing::ScratchDir;

// Decompresses a .tgz and returns {member name: content} (a minimal ustar reader).
std::map<std::string, std::string> Members(const std::string& tgz);

PusherConfig Config(const std::string& spool) {
  PusherConfig config;
  config.directory = spool;
  config.experiment = "ndt";
  config.node = "mlab1-lga03";
  config.datatypes = {{"ndt7", 1.0}, {"pcap", 1.0}};
  config.metadata = {{"MLAB.server.name", "mlab1.lga03.measurement-lab.org"}};
  config.archive_wait = {absl::Milliseconds(100), absl::Milliseconds(100), absl::Milliseconds(100)};
  config.max_file_age = absl::Hours(2);
  config.backoff_max = absl::Milliseconds(200);
  config.new_directory_settle = absl::Milliseconds(200);
  return config;
}

UploaderFactory LocalFactory(const std::string& out) {
  return [out] { return std::make_unique<LocalUploader>(out); };
}

// Files left under the datatype directories.
std::vector<std::string> SpoolFiles(const std::string& spool) {
  std::vector<std::string> left;
  for (const char* dt : {"ndt7", "pcap", "scamper1"}) {
    for (const std::string& f : ListFiles(absl::StrCat(spool, "/", dt))) {
      left.push_back(absl::StrCat(dt, "/", f));
    }
  }
  return left;
}

// Polls an observable outcome until it holds, for at most `limit`.
template <typename Predicate>
bool WaitFor(Predicate done, absl::Duration limit) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

// Waits (bounded) for the spool to hold exactly `expected` files.
bool WaitForSpool(const std::string& spool, size_t expected, absl::Duration limit) {
  return WaitFor([&] { return SpoolFiles(spool).size() == expected; }, limit);
}

// Every uploaded member, keyed "datatype:path", with how often it was uploaded.
std::map<std::string, std::vector<std::string>> Uploaded(const std::string& out) {
  std::map<std::string, std::vector<std::string>> all;
  for (const std::string& object : ListFiles(out)) {
    if (absl::StartsWith(object, ".pusher-tmp")) continue;
    std::string dt = object.substr(4, object.find('/', 4) - 4);  // "ndt/<dt>/..."
    for (const auto& [name, content] : Members(ReadFileOrDie(out + "/" + object))) {
      all[dt + ":" + name].push_back(content);
    }
  }
  return all;
}

// Each of `written` ({"datatype:path": content}) is in exactly one archive under `out`, intact,
// and nothing else was uploaded.
void ExpectEachUploadedOnce(const std::string& out,
                            const std::map<std::string, std::string>& written) {
  std::map<std::string, std::vector<std::string>> uploaded = Uploaded(out);
  EXPECT_EQ(uploaded.size(), written.size());
  for (const auto& [key, content] : written) {
    ASSERT_EQ(uploaded[key].size(), 1u) << key;
    EXPECT_EQ(uploaded[key][0], content) << key;
  }
}

TEST(PusherTest, UploadsEachFileOnceAndEmptiesTheSpool) {
  ScratchDir dir;
  std::string spool = dir.path() + "/spool";
  std::string out = dir.path() + "/out";
  // Already there and old: only the startup sweep finds it.
  testing::SetMtime(dir.WriteFile("spool/ndt7/2024/05/01/old.json", "old"),
                    absl::Now() - absl::Hours(3));
  dir.WriteFile("spool/ndt7/2024/05/01/young-unseen.json", "not old enough, no event");
  PusherConfig config = Config(spool);
  config.datatypes.push_back({"scamper1", 0.0});  // Sampled out entirely.
  Pusher pusher(config, LocalFactory(out));
  ASSERT_TRUE(pusher.Start().ok());
  std::map<std::string, std::string> written;
  for (int i = 0; i < 200; ++i) {
    std::string dt = i % 2 ? "ndt7" : "pcap";
    std::string rel = absl::StrCat("2024/05/0", 1 + i % 3, "/f", i, ".data");
    std::string content = absl::StrCat("content ", i, std::string(i * 37, 'x'));
    if (i % 3 == 0) {
      dir.WriteFile(absl::StrCat("spool/", dt, "/", rel), content);  // IN_CLOSE_WRITE
    } else {
      std::string staged = dir.WriteFile(absl::StrCat("staging/", i), content);
      std::string final_path = absl::StrCat(spool, "/", dt, "/", rel);
      ASSERT_TRUE(::mlab::spool::MakeDirs(final_path.substr(0, final_path.rfind('/'))).ok());
      ASSERT_EQ(rename(staged.c_str(), final_path.c_str()), 0);  // IN_MOVED_TO
    }
    written[dt + ":" + rel] = content;
  }
  dir.WriteFile("spool/ndt7/2024/05/01/.hidden.swp", "editor junk");  // Left in place.
  dir.WriteFile("spool/ndt7/2024/05/01/bad name.json", "space");      // Left in place.
  dir.WriteFile("spool/scamper1/2024/05/01/sampled.jsonl", "deleted, never uploaded");
  written["ndt7:2024/05/01/old.json"] = "old";
  // Left: the two strange names and the young file nothing announced; the sampled-out file is
  // deleted without an upload.
  ASSERT_TRUE(WaitForSpool(spool, 3, absl::Seconds(30))) << SpoolFiles(spool).size();
  EXPECT_NE(access((spool + "/scamper1/2024/05/01/sampled.jsonl").c_str(), F_OK), 0);
  EXPECT_TRUE(WaitFor([&] { return pusher.in_flight() == 0; }, absl::Seconds(10)));
  pusher.Stop();

  ExpectEachUploadedOnce(out, written);
  for (const std::string& object : ListFiles(out)) {
    EXPECT_THAT(
        object,
        ::testing::MatchesRegex(
            R"(ndt/(ndt7|pcap)/2024/05/0[123]/2[0-9]{7}T[0-9]{6}\.[0-9]{6}Z-(ndt7|pcap)-mlab1-lga03-ndt\.tgz)"));
  }
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(PusherTest, DrainingIdlePusherDoesNotSpin) {
  // After SIGTERM (BeginDrain) collection goes on until -sigterm_wait_time; an idle pusher must
  // sleep through it, not wake its bundle threads over and over.
  ScratchDir dir;
  std::string spool = dir.path() + "/spool";
  PusherConfig config = Config(spool);
  Pusher pusher(config, LocalFactory(dir.path() + "/out"));
  ASSERT_TRUE(pusher.Start().ok());
  dir.WriteFile("spool/ndt7/2024/05/01/a.json", "a");
  ASSERT_TRUE(WaitForSpool(spool, 0, absl::Seconds(30)));
  pusher.BeginDrain();
  dir.WriteFile("spool/pcap/2024/05/01/b.pcap", "still collected while draining");
  ASSERT_TRUE(WaitForSpool(spool, 0, absl::Seconds(30)));
  double before = ProcessCpuSeconds();
  absl::SleepFor(absl::Seconds(1));
  double spent = ProcessCpuSeconds() - before;
  EXPECT_LT(spent, 0.2) << "CPU seconds spent in 1 s of an idle drain";
  EXPECT_TRUE(pusher.FinishDrain(absl::Now() + absl::Seconds(10)));
}

TEST(PusherTest, RestartResumesTheJournalWithoutDuplicates) {
  ScratchDir dir;
  std::string spool = dir.path() + "/spool";
  std::string out = dir.path() + "/out";
  for (const char* f : {"a", "b", "c", "d"}) {
    dir.WriteFile(absl::StrCat("spool/ndt7/2024/05/01/", f, ".json"), absl::StrCat("file ", f));
  }
  ASSERT_TRUE(::mlab::spool::MakeDirs(spool + "/pcap").ok());
  TarBundle::PaxRecords records = Config(spool).metadata;
  records["MLAB.datatype"] = "ndt7";
  // A previous process sealed two archives and accepted two more files, then died:
  Journal journal(spool + "/.pusher/ndt7");
  ASSERT_TRUE(journal.Open().ok());
  auto manifest_for = [&](const std::string& id, const std::string& name,
                          std::vector<std::string> files) {
    ArchiveManifest m;
    m.id = id;
    m.object_name = name;
    m.subdir = "2024/05/01";
    for (const std::string& f : files) {
      m.members.push_back({f, ReadSpoolFile(spool + "/ndt7", f)->identity});
    }
    std::vector<ArchivedFile> dropped;
    SealedArchive built = *RebuildArchive(spool + "/ndt7", m, records, &dropped);
    EXPECT_TRUE(dropped.empty());
    return built;
  };
  // #1 was uploaded, but the process died before deleting its files.
  SealedArchive uploaded =
      manifest_for("0001", "ndt/ndt7/2024/05/01/20240501T000000.000001Z-ndt7-mlab1-lga03-ndt.tgz",
                   {"2024/05/01/a.json", "2024/05/01/b.json"});
  ASSERT_TRUE(journal.WriteManifest(uploaded.manifest).ok());
  ASSERT_TRUE(LocalUploader(out)
                  .Upload(UploadRequest{uploaded.manifest.object_name, uploaded.body,
                                        uploaded.manifest.md5, uploaded.manifest.crc32c})
                  .ok());
  // #2 was sealed but its upload never finished.
  SealedArchive unsent =
      manifest_for("0002", "ndt/ndt7/2024/05/01/20240501T000000.000002Z-ndt7-mlab1-lga03-ndt.tgz",
                   {"2024/05/01/c.json"});
  ASSERT_TRUE(journal.WriteManifest(unsent.manifest).ok());
  // d was accepted (no archive yet); gone.json was accepted and then vanished.
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/d.json").ok());
  ASSERT_TRUE(journal.RecordIntake("2024/05/01/gone.json").ok());

  double already_before = Metrics::Get().already_uploaded.WithLabels({"ndt7"}).Value();
  Pusher pusher(Config(spool), LocalFactory(out));
  ASSERT_TRUE(pusher.Start().ok());
  ASSERT_TRUE(WaitForSpool(spool, 0, absl::Seconds(30)));
  pusher.Stop();

  std::vector<std::string> objects = ListFiles(out);
  ASSERT_EQ(objects.size(), 3u) << ::testing::PrintToString(objects);
  EXPECT_EQ(objects[0], uploaded.manifest.object_name);
  EXPECT_EQ(objects[1], unsent.manifest.object_name);               // Under its journaled name.
  EXPECT_EQ(ReadFileOrDie(out + "/" + objects[0]), uploaded.body);  // Untouched.
  EXPECT_EQ(ReadFileOrDie(out + "/" + objects[1]), unsent.body);    // Rebuilt byte for byte.
  EXPECT_THAT(Members(ReadFileOrDie(out + "/" + objects[2])),
              ::testing::ElementsAre(::testing::Pair("2024/05/01/d.json", "file d")));
  std::map<std::string, std::vector<std::string>> all = Uploaded(out);
  for (const auto& [key, copies] : all) EXPECT_EQ(copies.size(), 1u) << key;
  EXPECT_EQ(all.size(), 4u);
  EXPECT_EQ(Metrics::Get().already_uploaded.WithLabels({"ndt7"}).Value(), already_before + 1);
  EXPECT_TRUE(journal.LoadManifests()->empty());
}

// Fails every upload while `down` is set.
class FlakyUploader : public Uploader {
 public:
  FlakyUploader(std::string out, std::atomic<bool>* down, std::atomic<int>* failures)
      : local_(std::move(out)), down_(down), failures_(failures) {}
  absl::Status Upload(const UploadRequest& request) override {
    if (down_->load()) {
      ++*failures_;
      return absl::UnavailableError("backend down");
    }
    return local_.Upload(request);
  }
  absl::StatusOr<ObjectInfo> Stat(const std::string& name) override {
    if (down_->load()) return absl::UnavailableError("backend down");
    return local_.Stat(name);
  }
  std::string Describe() const override { return "flaky"; }

 private:
  LocalUploader local_;
  std::atomic<bool>* down_;
  std::atomic<int>* failures_;
};

TEST(PusherTest, BackendOutageRetriesAndDeletesNothingEarly) {
  ScratchDir dir;
  std::string spool = dir.path() + "/spool";
  std::string out = dir.path() + "/out";
  ASSERT_TRUE(::mlab::spool::MakeDirs(spool + "/ndt7").ok());
  std::atomic<bool> down{true};
  std::atomic<int> failures{0};
  Pusher pusher(Config(spool),
                [&] { return std::make_unique<FlakyUploader>(out, &down, &failures); });
  ASSERT_TRUE(pusher.Start().ok());
  for (int i = 0; i < 50; ++i) {
    dir.WriteFile(absl::StrCat("spool/ndt7/2024/05/01/f", i, ".json"), absl::StrCat(i));
  }
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (failures.load() < 5 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_GE(failures.load(), 5);
  EXPECT_EQ(SpoolFiles(spool).size(), 50u) << "files deleted while the backend was down";
  EXPECT_TRUE(ListFiles(out).empty());
  down = false;
  ASSERT_TRUE(WaitForSpool(spool, 0, absl::Seconds(30)));
  pusher.Stop();
  EXPECT_EQ(Uploaded(out).size(), 50u);
}

// A node whose disk filled up (uploads failed for a while): the journal cannot write, but the
// pusher uploads anyway, since deleting what it has uploaded is what frees the disk.
TEST(PusherTest, FullSpoolDiskIsEmptiedByUploading) {
  if (absl::Status ns = ::mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  ScratchDir dir;
  std::string spool = dir.path() + "/spool";
  std::string out = dir.path() + "/out";
  auto spool_fs = ::mlab::testing::SmallFilesystem::Mount(spool, 1 << 20);
  ASSERT_TRUE(spool_fs.ok()) << spool_fs.status();
  std::map<std::string, std::string> written;
  for (int i = 0; i < 40; ++i) {
    std::string rel = absl::StrCat("2024/05/01/f", i, ".json");
    std::string content = absl::StrCat("file ", i, std::string(8000, 'x'));
    // Old enough for the startup sweep, as files left by a long outage are.
    testing::SetMtime(dir.WriteFile("spool/ndt7/" + rel, content), absl::Now() - absl::Hours(3));
    written["ndt7:" + rel] = content;
  }
  absl::StatusOr<std::string> filler = (*spool_fs)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  Metrics& m = Metrics::Get();
  double manifest_errors = m.journal_errors.WithLabels({"ndt7", "manifest"}).Value();
  double intake_errors = m.journal_errors.WithLabels({"ndt7", "intake"}).Value();

  Pusher pusher(Config(spool), LocalFactory(out));
  ASSERT_TRUE(pusher.Start().ok());
  ASSERT_TRUE(WaitForSpool(spool, 0, absl::Seconds(30))) << SpoolFiles(spool).size();
  pusher.Stop();

  ExpectEachUploadedOnce(out, written);
  EXPECT_GT(m.journal_errors.WithLabels({"ndt7", "manifest"}).Value(), manifest_errors);
  EXPECT_GT(m.journal_errors.WithLabels({"ndt7", "intake"}).Value(), intake_errors);
  EXPECT_GE((*spool_fs)->FreeBytes(), 40u * 8000);
}

// The upload target (a file:// bucket) full: each upload fails as RESOURCE_EXHAUSTED and is
// retried, no spool file is deleted meanwhile, and everything lands once there is space.
TEST(PusherTest, FullUploadTargetRetriesAndDeletesNothing) {
  if (absl::Status ns = ::mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  ScratchDir dir;
  std::string spool = dir.path() + "/spool";
  std::string out = dir.path() + "/out";
  // The date directory exists first: a file written in place into a directory the pusher has
  // only just seen appear can be read half-written by its scan of it (README, "Known limits"),
  // which is not what this test is about.
  ASSERT_TRUE(::mlab::spool::MakeDirs(spool + "/pcap/2024/05/01").ok());
  auto out_fs = ::mlab::testing::SmallFilesystem::Mount(out, 256 << 10);
  ASSERT_TRUE(out_fs.ok()) << out_fs.status();
  absl::StatusOr<std::string> filler = (*out_fs)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  metrics::Counter& full = Metrics::Get().upload_errors.WithLabels({"pcap", "RESOURCE_EXHAUSTED"});
  double failures_before = full.Value();

  Pusher pusher(Config(spool), LocalFactory(out));
  ASSERT_TRUE(pusher.Start().ok());
  std::map<std::string, std::string> written;
  for (int i = 0; i < 30; ++i) {
    std::string rel = absl::StrCat("2024/05/01/f", i, ".pcap");
    std::string content = absl::StrCat("packets ", i);
    dir.WriteFile("spool/pcap/" + rel, content);
    written["pcap:" + rel] = content;
  }
  ASSERT_TRUE(WaitFor([&] { return full.Value() >= failures_before + 3; }, absl::Seconds(30)));
  EXPECT_EQ(SpoolFiles(spool).size(), 30u) << "files deleted while the target was full";
  ASSERT_EQ(unlink(filler->c_str()), 0);
  ASSERT_TRUE(WaitForSpool(spool, 0, absl::Seconds(30))) << SpoolFiles(spool).size();
  pusher.Stop();

  ExpectEachUploadedOnce(out, written);
}

TEST(ShipperTest, KeepsAFileThatChangedAfterItWasRead) {
  ScratchDir dir;
  std::string root = dir.path() + "/ndt7";
  dir.WriteFile("ndt7/2024/05/01/growing.json", "first part");
  dir.WriteFile("ndt7/2024/05/01/done.json", "complete");
  ArchiveNamer namer("ndt", "ndt7", "mlab1-lga03");
  Bundler::Options options;
  options.datatype = "ndt7";
  options.root = root;
  options.wait = {absl::Hours(1), absl::Hours(1), absl::Hours(1)};
  Bundler bundler(options, &namer);
  std::vector<SealedArchive> sealed;
  ASSERT_EQ(bundler.Add("2024/05/01/growing.json", &sealed), Bundler::AddResult::kAdded);
  ASSERT_EQ(bundler.Add("2024/05/01/done.json", &sealed), Bundler::AddResult::kAdded);
  bundler.SealAll("emergency_upload", &sealed);
  ASSERT_EQ(sealed.size(), 1u);
  dir.WriteFile("ndt7/2024/05/01/growing.json", "first part, and more");  // Written again.

  Journal journal(dir.path() + "/journal");
  ASSERT_TRUE(journal.Open().ok());
  LocalUploader uploader(dir.path() + "/out");
  Shipper shipper(Shipper::Options{"ndt7", root, {}}, &uploader, &journal, &namer);
  CancelToken cancel;
  Shipper::Result result = shipper.Ship(sealed[0], cancel);
  EXPECT_TRUE(result.uploaded);
  EXPECT_THAT(result.reoffer, ::testing::ElementsAre("2024/05/01/growing.json"));
  EXPECT_THAT(result.done, ::testing::ElementsAre("2024/05/01/done.json"));
  EXPECT_EQ(ReadFileOrDie(root + "/2024/05/01/growing.json"), "first part, and more");
  EXPECT_NE(access((root + "/2024/05/01/done.json").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace mlab::pusher

#include <zlib.h>

namespace mlab::pusher {
namespace {

std::map<std::string, std::string> Members(const std::string& tgz) {
  z_stream s{};
  inflateInit2(&s, 16 + MAX_WBITS);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(tgz.data()));
  s.avail_in = tgz.size();
  std::string tar;
  char buf[65536];
  int rc;
  do {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof(buf);
    rc = inflate(&s, Z_NO_FLUSH);
    tar.append(buf, sizeof(buf) - s.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&s);
  EXPECT_EQ(rc, Z_STREAM_END);
  std::map<std::string, std::string> members;
  for (size_t off = 0; off + 512 <= tar.size() && tar[off] != '\0';) {
    const char* h = tar.data() + off;
    int64_t size = std::stoll(std::string(h + 124, 11), nullptr, 8);
    off += 512;
    if (h[156] == '0') members[std::string(h, strnlen(h, 100))] = tar.substr(off, size);
    off += (size + 511) / 512 * 512;
  }
  return members;
}

}  // namespace
}  // namespace mlab::pusher
