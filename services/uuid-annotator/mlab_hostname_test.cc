#include "services/uuid-annotator/mlab_hostname.h"

#include "gtest/gtest.h"

namespace mlab::uuid_annotator {
namespace {

std::string Key(const char* name) {
  absl::StatusOr<MlabHostname> h = ParseMlabHostname(name);
  return h.ok() ? h->StringWithService() : "error";
}

TEST(MlabHostnameTest, SiteinfoKeys) {
  EXPECT_EQ(Key("mlab1-lga03.mlab-sandbox.measurement-lab.org"),
            "mlab1-lga03.mlab-sandbox.measurement-lab.org");
  // A managed instance group's suffix is dropped, a service prefix kept (upstream PR #67).
  EXPECT_EQ(Key("mlab1-lga03.mlab-oti.measurement-lab.org-d9h6"),
            "mlab1-lga03.mlab-oti.measurement-lab.org");
  EXPECT_EQ(Key("ndt-mlab1-lga03.mlab-oti.measurement-lab.org-d9h6"),
            "ndt-mlab1-lga03.mlab-oti.measurement-lab.org");
  EXPECT_EQ(Key("mlab4d-abc0t.mlab-staging.measurement-lab.org"),
            "mlab4d-abc0t.mlab-staging.measurement-lab.org");
  EXPECT_EQ(Key("mlab1.lga03.measurement-lab.org"), "mlab1.lga03.measurement-lab.org");
  EXPECT_EQ(Key("ndt.iupui.mlab1.lga01.measurement-lab.org"), "mlab1.lga01.measurement-lab.org");
  EXPECT_EQ(Key("ndt-iupui-mlab1-lga01.measurement-lab.org"), "mlab1.lga01.measurement-lab.org");
  EXPECT_EQ(Key("ndt-lga3356-c0a80001.rnp.autojoin.measurement-lab.org"),
            "ndt-lga3356-c0a80001.rnp.autojoin.measurement-lab.org");
  EXPECT_EQ(Key("third-party"), "third-party..");
}

TEST(MlabHostnameTest, Rejects) {
  for (const char* bad :
       {"", "localhost", "mlab1-lga03.mlab-sandbox.measurement-lab.org\n",
        "mlab5.lga03.measurement-lab.org", "mlab1-lga03x.mlab-sandbox.measurement-lab.org",
        "mlab1-lga3.mlab-sandbox.measurement-lab.org", "mlab1-lga03.mlab-sandbox.example.org",
        "mlab.abc0t.measurement-lab.org", "lga3356-c0a8001.rnp.autojoin.x.y",
        "-lga3356-c0a80001.rnp.autojoin.measurement-lab.org",
        "l4a3356-c0a80001.rnp.autojoin.measurement-lab.org"}) {
    EXPECT_EQ(Key(bad), "error") << bad;
  }
}

}  // namespace
}  // namespace mlab::uuid_annotator
