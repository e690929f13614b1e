#ifndef MLAB_SERVICES_TRACEROUTE_CALLER_VERSION_H_
#define MLAB_SERVICES_TRACEROUTE_CALLER_VERSION_H_

// TracerouteCallerVersion in every metadata line, and the git_short_commit metric's label
// (upstream: prometheusx.GitShortCommit). Release builds may set -DTRACEROUTE_CALLER_VERSION=...

#ifndef TRACEROUTE_CALLER_VERSION
#define TRACEROUTE_CALLER_VERSION "v0.12.0-cpp"
#endif

namespace mlab::trc {

inline constexpr char kVersion[] = TRACEROUTE_CALLER_VERSION;

}  // namespace mlab::trc

#endif  // MLAB_SERVICES_TRACEROUTE_CALLER_VERSION_H_
