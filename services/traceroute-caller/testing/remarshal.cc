// remarshal mda|regular jsonl|json none|netblock FILE: prints FILE as the service archives it.
#include <fstream>
#include <iostream>
#include <sstream>

#include "services/traceroute-caller/parsed_trace.h"

int main(int argc, char** argv) {
  using namespace mlab::trc;
  if (argc != 5) {
    std::cerr << "usage: remarshal mda|regular jsonl|json none|netblock FILE\n";
    return 2;
  }
  std::ifstream in(argv[4], std::ios::binary);
  std::stringstream raw;
  raw << in.rdbuf();
  auto type = ParseTraceType(argv[1]);
  auto format = ParseOutputFormat(argv[2]);
  auto method = IpAnonymizer::ParseMethod(argv[3]);
  if (!type.ok() || !format.ok() || !method.ok()) return 2;
  auto parsed = ParseTrace(*type, raw.str());
  if (!parsed.ok()) {
    std::cerr << "PARSE ERROR: " << parsed.status() << "\n";
    return 3;
  }
  (*parsed)->Anonymize(IpAnonymizer(*method, {}));
  auto out = (*parsed)->Marshal(*format);
  if (!out.ok()) {
    std::cerr << "MARSHAL ERROR: " << out.status() << "\n";
    return 4;
  }
  std::cout << *out;
  return 0;
}
