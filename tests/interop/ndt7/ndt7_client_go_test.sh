#!/usr/bin/env bash
# M-Lab's ndt7-client-go (the official Go client, v0.10.1) runs download and upload against our
# ndt-server over ws and over wss with a self-signed certificate; its JSON output must show two
# completed subtests without errors, and the server must have archived four valid results whose
# UUIDs are the ones the client reports. Those files then go through M-Lab's ETL ndt7 parsing
# (tests/etl's etl-check) with zero errors, and decode strictly into upstream v0.25.0's
# data.NDT7Result, re-encoding to the very same bytes.
source "$(dirname "$0")/lib.sh"

CLIENT="$PEERS/bin/ndt7-client"
require_peer "$CLIENT"
require_peer "$PEERS/bin/etl-check"
require_peer "$PEERS/bin/ndt7-schema-check"
make_cert "$WORK"
start_server -cert "$WORK/cert.pem" -key "$WORK/key.pem"

run_client() {  # scheme port output
  timeout 60 "$CLIENT" -format json -scheme "$1" -server "127.0.0.1:$2" -no-verify \
    -client-name interop-test >"$3" 2>"$3.err" || fail "ndt7-client ($1) exited with $?: $(cat "$3.err")"
  python3 - "$3" "$PREFIX" <<'PY' || fail "ndt7-client ($1) output check failed"
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
events = [l for l in lines if "Key" in l]
errors = [e for e in events if e["Key"] == "error"]
if errors:
    sys.exit(f"client errors: {errors}")
done = {e["Value"]["Test"] for e in events if e["Key"] == "complete"}
if done != {"download", "upload"}:
    sys.exit(f"completed subtests: {done}")
measured = {e["Value"]["Test"] for e in events if e["Key"] == "measurement"
            and e["Value"].get("Origin") == "server" and e["Value"].get("TCPInfo")}
if measured != {"download", "upload"}:
    sys.exit(f"server measurements seen for: {measured}")
summary = lines[-1]
for test in ("Download", "Upload"):
    s = summary[test]
    if not re.fullmatch(re.escape(sys.argv[2]) + r"_[0-9A-F]{16}", s["UUID"]):
        sys.exit(f"{test} UUID {s['UUID']!r}")
    if not s["Throughput"]["Value"] > 0:
        sys.exit(f"{test} throughput {s['Throughput']}")
    print(test, s["UUID"], round(s["Throughput"]["Value"], 1), s["Throughput"]["Unit"])
PY
}

run_client ws "$WS_PORT" "$WORK/ws.json" | tee "$WORK/ws.summary"
run_client wss "$WSS_PORT" "$WORK/wss.json" | tee "$WORK/wss.summary"

results=$(check_results 4) || fail "result files: $results"
echo "$results"
for uuid in $(awk '{print $2}' "$WORK/ws.summary" "$WORK/wss.summary"); do
  grep -q " $uuid\$" <<<"$results" || fail "no result file for client UUID $uuid"
done
grep -q 'protocol=ndt7+wss' "$WORK/server.log" || fail "no wss test in the server log"
echo "PASS: ndt7-client-go over ws and wss"

mapfile -t files < <(find "$DATADIR/ndt7" -name '*.json.gz' | sort)
"$PEERS/bin/etl-check" -type=ndt7 "${files[@]}" 2>/dev/null >"$WORK/etl.jsonl" ||
  fail "ETL ndt7 parsing failed: $(cat "$WORK/etl.jsonl")"
python3 - "$WORK/etl.jsonl" <<'PY' || fail "ETL rows"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in rows if not r["ok"] or r["rows"] != 1 or r["details"]["server_measurements"] < 10
       or not r["details"].get("mean_throughput_mbps", 0) > 0]
if len(rows) != 4 or bad:
    sys.exit(f"ETL results: {rows}")
for r in rows:
    print("ETL", r["details"]["direction"], r["id"], round(r["details"]["mean_throughput_mbps"], 1), "Mbit/s")
PY
"$PEERS/bin/ndt7-schema-check" "${files[@]}" || fail "results differ from upstream's NDT7Result encoding"
echo "PASS: ETL parses every result; byte-identical to upstream's Go encoding"
