#!/usr/bin/env bash
# etl-check accepts upstream's real archives with ETL's expected counts and rejects ETL's negatives,
# so a pass on our files means something.
set -uo pipefail
check=${MLAB_PEERS:-/usr/local/lib/mlab-peers}/bin/etl-check
[[ -x "$check" ]] || { echo "FAIL: $check missing: run tools/setup"; exit 1; }
data=external/shared_testdata/etl
failures=0
expect() {  # expect ok|fail description args...
  local want=$1 what=$2; shift 2
  if "$check" "$@" >/tmp/etl-check.$$ 2>/dev/null; then got=ok; else got=fail; fi
  if [[ $got == "$want" ]]; then echo "PASS: $what"; else echo "FAIL: $what (got $got)"; cat /tmp/etl-check.$$; failures=$((failures+1)); fi
}
expect ok "ndt7 results" $data/parser/testdata/NDT7Result/*.json
expect ok "annotation2" $data/parser/testdata/Annotation2/ndt-njp6l_1585004303_00000000000170FA.json $data/parser/testdata/Annotation2/ndt-empty-geo.json
expect fail "corrupt annotation2" $data/parser/testdata/Annotation2/ndt-corrupt.json
expect ok "hopannotation2" $data/parser/testdata/HopAnnotation2/*.json
expect ok "scamper1" $data/parser/testdata/Scamper1/valid.jsonl
expect fail "scamper1 metadata only" $data/parser/testdata/Scamper1/badformat.jsonl
expect fail "scamper1 wrong extension" -type=scamper1 $data/parser/testdata/Scamper1/simple.json
expect fail "pcap wrong extension" -type=pcap $data/parser/testdata/PCAP/badfile.badextension
expect ok "pcap" $data/parser/testdata/PCAP/*.pcap.gz
expect ok "ndt7 pusher archive" $data/storage/testdata/20200318T003853.425987Z-ndt7-mlab3-syd03-ndt.tgz
expect ok "archive url" -archive-url=gs://pusher-mlab-sandbox/ndt/tcpinfo/2019/05/16/20190516T013026.744845Z-tcpinfo-mlab4-arn02-ndt.tgz
expect fail "archive url without a node name" -archive-url=gs://pusher-mlab-sandbox/ndt/tcpinfo/2019/05/16/20190516T013026.744845Z-tcpinfo-localhost-ndt.tgz

# ETL's tcpinfo test: 364 files handled, 362 rows.
counts=$("$check" $data/parser/testdata/20190516T013026.744845Z-tcpinfo-mlab4-arn02-ndt.tgz 2>/dev/null |
  python3 -c 'import sys,json; r=[json.loads(l) for l in sys.stdin]; print(len(r), sum(x["ok"] for x in r), sum(x["rows"] for x in r))')
if [[ $counts == "364 364 362" ]]; then echo "PASS: tcpinfo archive 364/362"; else echo "FAIL: tcpinfo archive counts $counts"; failures=$((failures+1)); fi
rm -f /tmp/etl-check.$$
exit $((failures > 0))
