// etl-check runs the parsing that M-Lab's ETL pipeline does on our archive files, using the same
// upstream libraries at the versions ETL pins (tcp-info v1.5.3, ndt-server v0.20.18,
// uuid-annotator v0.4.7, traceroute-caller v0.10.1, gopacket v1.1.19). ETL itself is not served
// by the Go module proxy, so this harness reproduces each parser's decoding steps and acceptance
// rules (file-name checks, decode loop, required fields) on top of those libraries.
//
// Usage:
//
//	etl-check [-type=auto|tcpinfo|ndt7|annotation2|hopannotation2|scamper1|pcap] [-strict] FILE...
//	etl-check -archive-url=gs://bucket/ndt/tcpinfo/2019/05/25/20190525T020001.697396Z-tcpinfo-mlab4-ord01-ndt.tgz
//
// FILE may be a data file or a pusher .tgz archive (every member is checked). Each file gives one
// JSON line on stdout; the exit status is 1 if any file fails, 2 on usage errors.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/klauspost/compress/zstd"
	"github.com/m-lab/ndt-server/data"
	"github.com/m-lab/tcp-info/netlink"
	"github.com/m-lab/tcp-info/snapshot"
	"github.com/m-lab/traceroute-caller/hopannotation"
	"github.com/m-lab/traceroute-caller/parser"
	"github.com/m-lab/uuid-annotator/annotator"
)

var (
	fileType   = flag.String("type", "auto", "datatype of the files: auto (from the path, as ETL routes them), tcpinfo, ndt7, annotation2, hopannotation2, scamper1 or pcap")
	strict     = flag.Bool("strict", false, "also fail on JSON fields the upstream schema does not know")
	zeroCheck  = flag.Bool("pcap-zero-payload", false, "pcap: also require every TCP payload byte to be zero")
	archiveURL = flag.String("archive-url", "", "check that this archive URL matches ETL's archive naming pattern, and exit")
)

// Result is one line of output.
type Result struct {
	File    string                 `json:"file"`
	Type    string                 `json:"type"`
	OK      bool                   `json:"ok"`
	Error   string                 `json:"error,omitempty"`
	ID      string                 `json:"id,omitempty"`
	Rows    int                    `json:"rows"`
	Details map[string]interface{} `json:"details,omitempty"`
}

func main() {
	flag.Parse()
	if *archiveURL != "" {
		fields, err := validateArchiveURL(*archiveURL)
		out := Result{File: *archiveURL, Type: "archive-url", OK: err == nil, Details: fields}
		if err != nil {
			out.Error = err.Error()
		}
		emit(out)
		if err != nil {
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: etl-check [-type=T] [-strict] FILE... | -archive-url=URL")
		os.Exit(2)
	}
	failed := false
	for _, name := range flag.Args() {
		for _, r := range checkPath(name) {
			emit(r)
			failed = failed || !r.OK
		}
	}
	if failed {
		os.Exit(1)
	}
}

func emit(r Result) {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func checkPath(name string) []Result {
	content, err := os.ReadFile(name)
	if err != nil {
		return []Result{{File: name, Error: err.Error()}}
	}
	if strings.HasSuffix(name, ".tgz") || strings.HasSuffix(name, ".tar.gz") {
		return checkArchive(name, content)
	}
	return []Result{checkFile(name, datatypeOf(name), content)}
}

// checkArchive checks every regular member of a pusher archive, as ETL's tar source feeds them.
func checkArchive(name string, content []byte) []Result {
	gz, err := gzip.NewReader(bytes.NewReader(content))
	if err != nil {
		return []Result{{File: name, Type: "archive", Error: err.Error()}}
	}
	datatype := datatypeOf(name)
	tr := tar.NewReader(gz)
	var results []Result
	for {
		header, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(results, Result{File: name, Type: "archive", Error: err.Error()})
		}
		if header.Typeflag != tar.TypeReg {
			continue
		}
		member, err := io.ReadAll(tr)
		if err != nil {
			return append(results, Result{File: name + ":" + header.Name, Type: "archive", Error: err.Error()})
		}
		t := datatype
		if t == "" {
			t = datatypeOf(header.Name)
		}
		r := checkFile(name+":"+header.Name, t, member)
		if r.Details == nil {
			r.Details = map[string]interface{}{}
		}
		r.Details["pax"] = header.PAXRecords
		results = append(results, r)
	}
	if len(results) == 0 {
		results = append(results, Result{File: name, Type: "archive", Error: "archive has no members"})
	}
	return results
}

// datatypeOf names the datatype from a path, as ETL routes by bucket path and file suffix.
func datatypeOf(name string) string {
	if *fileType != "auto" {
		return *fileType
	}
	lower := strings.ToLower(name)
	for _, dt := range []string{"hopannotation2", "annotation2", "tcpinfo", "scamper1", "pcap", "ndt7"} {
		if strings.Contains(lower, "/"+dt+"/") || strings.Contains(filepath.Base(lower), "-"+dt+"-") {
			return dt
		}
	}
	switch {
	case strings.HasSuffix(name, "jsonl.zst"):
		return "tcpinfo"
	case strings.HasSuffix(name, ".pcap.gz"):
		return "pcap"
	case strings.HasSuffix(name, "jsonl"):
		return "scamper1"
	case strings.Contains(filepath.Base(name), "ndt7"):
		return "ndt7"
	}
	return "unknown"
}

func checkFile(name, datatype string, content []byte) Result {
	r := Result{File: name, Type: datatype, Details: map[string]interface{}{}}
	var err error
	switch datatype {
	case "tcpinfo":
		err = checkTCPInfo(&r, name, content)
	case "ndt7":
		err = checkNDT7(&r, name, content)
	case "annotation2":
		err = checkAnnotation2(&r, name, content)
	case "hopannotation2":
		err = checkHopAnnotation2(&r, name, content)
	case "scamper1":
		err = checkScamper1(&r, name, content)
	case "pcap":
		err = checkPCAP(&r, name, content)
	default:
		err = fmt.Errorf("no ETL parser for %q", name)
	}
	if err != nil {
		r.Error = err.Error()
	} else {
		r.OK = true
	}
	return r
}

// strictDecode reports fields the upstream type does not have (ETL itself ignores them).
func strictDecode(content []byte, v interface{}) error {
	d := json.NewDecoder(bytes.NewReader(content))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// tcpinfo: IsParsable needs "jsonl.zst"; the member is zstd-decompressed whole, read with
// netlink.NewArchiveReader, each record decoded by snapshot.Decode until io.EOF; a row needs at
// least one observed snapshot and an inet_diag message in the last one.
func checkTCPInfo(r *Result, name string, content []byte) error {
	if !strings.HasSuffix(name, "jsonl.zst") {
		return errors.New("not parsable: tcpinfo files must end in jsonl.zst")
	}
	decoder, err := zstd.NewReader(nil)
	if err != nil {
		return err
	}
	defer decoder.Close()
	raw, err := decoder.DecodeAll(content, nil)
	if err != nil {
		return fmt.Errorf("zstd error: %w", err)
	}
	reader := netlink.NewArchiveReader(bytes.NewReader(raw))
	var meta netlink.Metadata
	var snaps []*snapshot.Snapshot
	records := 0
	for {
		rec, err := reader.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("decode error after %d records: %w", records, err)
		}
		records++
		snapMeta, snap, err := snapshot.Decode(rec)
		if err != nil {
			return fmt.Errorf("snapshot decode error at record %d: %w", records, err)
		}
		if snapMeta != nil {
			meta = *snapMeta
		}
		if snap.Observed != 0 {
			snaps = append(snaps, snap)
		}
	}
	r.ID = meta.UUID
	r.Details["records"] = records
	r.Details["snapshots"] = len(snaps)
	r.Details["sequence"] = meta.Sequence
	r.Details["start_time"] = meta.StartTime
	if len(snaps) == 0 || snaps[len(snaps)-1].InetDiagMsg == nil {
		r.Details["warning"] = "no row (no snapshots or no inet_diag message in the last one)"
		return nil
	}
	last := snaps[len(snaps)-1]
	id := last.InetDiagMsg.ID.GetSockID()
	r.Details["sock_id"] = id
	if last.TCPInfo != nil {
		r.Details["bytes_acked"] = last.TCPInfo.BytesAcked
		r.Details["bytes_received"] = last.TCPInfo.BytesReceived
		r.Details["min_rtt_us"] = last.TCPInfo.MinRTT
	}
	r.Rows = 1
	return nil
}

// ndt7: IsParsable needs "ndt7" in the name and a json or json.gz suffix; the content is
// unmarshalled into ndt-server's data.NDT7Result; the row id is the UUID of the test.
func checkNDT7(r *Result, name string, content []byte) error {
	base := filepath.Base(name)
	if !strings.Contains(base, "ndt7") || !(strings.HasSuffix(base, "json.gz") || strings.HasSuffix(base, "json")) {
		return errors.New("not parsable: ndt7 files must contain ndt7 and end in json or json.gz")
	}
	if strings.HasSuffix(base, ".gz") {
		gz, err := gzip.NewReader(bytes.NewReader(content))
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		if content, err = io.ReadAll(gz); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
	}
	var result data.NDT7Result
	if err := json.Unmarshal(content, &result); err != nil {
		return fmt.Errorf("unmarshal: %w", err)
	}
	if *strict {
		if err := strictDecode(content, &data.NDT7Result{}); err != nil {
			return fmt.Errorf("strict: %w", err)
		}
	}
	test := result.Download
	direction := "download"
	if test == nil {
		test, direction = result.Upload, "upload"
	}
	if test == nil {
		return errors.New("download and upload are both nil")
	}
	r.ID = strings.ReplaceAll(test.UUID, "_unsafe", "")
	r.Rows = 1
	r.Details["direction"] = direction
	r.Details["uuid"] = test.UUID
	r.Details["server_measurements"] = len(test.ServerMeasurements)
	r.Details["client_measurements"] = len(test.ClientMeasurements)
	r.Details["server_ip"] = result.ServerIP
	r.Details["client_ip"] = result.ClientIP
	if n := len(test.ServerMeasurements); n > 0 && test.ServerMeasurements[n-1].TCPInfo != nil {
		last := test.ServerMeasurements[n-1].TCPInfo
		if last.ElapsedTime > 0 {
			bytes := last.BytesAcked
			if direction == "upload" {
				bytes = last.BytesReceived
			}
			r.Details["mean_throughput_mbps"] = 8 * float64(bytes) / float64(last.ElapsedTime)
		}
		r.Details["min_rtt_us"] = last.MinRTT
	}
	return nil
}

// annotation2: IsParsable needs a json suffix; the content is unmarshalled into
// uuid-annotator's annotator.Annotations.
func checkAnnotation2(r *Result, name string, content []byte) error {
	if !strings.HasSuffix(name, "json") {
		return errors.New("not parsable: annotation2 files must end in json")
	}
	var raw annotator.Annotations
	if err := json.Unmarshal(content, &raw); err != nil {
		return fmt.Errorf("unmarshal: %w", err)
	}
	if *strict {
		if err := strictDecode(content, &annotator.Annotations{}); err != nil {
			return fmt.Errorf("strict: %w", err)
		}
	}
	r.ID = raw.UUID
	r.Rows = 1
	r.Details["server"] = raw.Server
	r.Details["client"] = raw.Client
	return nil
}

// hopannotation2: IsParsable needs a json suffix; unmarshalled into hopannotation.HopAnnotation1.
func checkHopAnnotation2(r *Result, name string, content []byte) error {
	if !strings.HasSuffix(name, "json") {
		return errors.New("not parsable: hopannotation2 files must end in json")
	}
	var raw hopannotation.HopAnnotation1
	if err := json.Unmarshal(content, &raw); err != nil {
		return fmt.Errorf("unmarshal: %w", err)
	}
	if *strict {
		if err := strictDecode(content, &hopannotation.HopAnnotation1{}); err != nil {
			return fmt.Errorf("strict: %w", err)
		}
	}
	r.ID = raw.ID
	r.Rows = 1
	r.Details["annotations"] = raw.Annotations
	return nil
}

// scamper1: IsParsable needs a jsonl suffix; at most 90,000,000 bytes; parsed by
// traceroute-caller's MDA parser into a parser.Scamper1.
func checkScamper1(r *Result, name string, content []byte) error {
	if !strings.HasSuffix(name, "jsonl") {
		return errors.New("not parsable: scamper1 files must end in jsonl")
	}
	if len(content) > 90000000 {
		return errors.New("row size too big")
	}
	p, err := parser.New("mda")
	if err != nil {
		return err
	}
	parsed, err := p.ParseRawData(content)
	if err != nil {
		return fmt.Errorf("failed to parse scamper1 file: %w", err)
	}
	output, ok := parsed.(parser.Scamper1)
	if !ok {
		return errors.New("failed to convert ParsedData to Scamper1 object")
	}
	r.ID = output.Metadata.UUID
	r.Rows = 1
	r.Details["metadata"] = output.Metadata
	r.Details["src"] = output.Tracelb.Src
	r.Details["dst"] = output.Tracelb.Dst
	r.Details["nodes"] = len(output.Tracelb.Nodes)
	return nil
}

// pcap: IsParsable needs ".pcap.gz"; the row id is the file name without it; the gunzipped
// content is read with gopacket's pcapgo reader, and the first packet's IP layer is decoded.
func checkPCAP(r *Result, name string, content []byte) error {
	base := filepath.Base(name)
	if !strings.HasSuffix(base, ".pcap.gz") {
		return errors.New("not parsable: pcap files must end in .pcap.gz")
	}
	r.ID = strings.TrimSuffix(base, ".pcap.gz")
	gz, err := gzip.NewReader(bytes.NewReader(content))
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	reader, err := pcapgo.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("pcap header: %w", err)
	}
	r.Details["link_type"] = reader.LinkType().String()
	r.Details["snaplen"] = reader.Snaplen()
	packets := 0
	nonzero := 0
	var first, last gopacket.CaptureInfo
	var srcIP net.IP
	for {
		packet, ci, err := reader.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("packet %d: %w", packets+1, err)
		}
		if packets == 0 {
			first = ci
			decoded := gopacket.NewPacket(packet, reader.LinkType(), gopacket.Default)
			if ip4, ok := decoded.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
				srcIP = ip4.SrcIP
			} else if ip6, ok := decoded.Layer(layers.LayerTypeIPv6).(*layers.IPv6); ok {
				srcIP = ip6.SrcIP
			} else {
				return errors.New("first packet has no IP layer")
			}
		}
		if *zeroCheck {
			decoded := gopacket.NewPacket(packet, reader.LinkType(), gopacket.Default)
			if tcp, ok := decoded.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
				for _, b := range tcp.Payload {
					if b != 0 {
						nonzero++
						break
					}
				}
			}
		}
		last = ci
		packets++
	}
	r.Rows = 1
	r.Details["packets"] = packets
	r.Details["src_ip"] = srcIP.String()
	r.Details["duration_ns"] = last.Timestamp.Sub(first.Timestamp).Nanoseconds()
	if nonzero > 0 {
		return fmt.Errorf("%d packets carry non-zero TCP payload bytes", nonzero)
	}
	return nil
}

// The archive naming ETL accepts (etl/globals.go, ValidateTestPath): a date-time of the form
// YYYYMMDDTHHMMSS[.ffffff]Z splits the URL into gs://bucket/[experiment/]type/YYYY/MM/DD/ and
// [-datatype]-(mlabN|third)-(site|party)-experiment[-NNNN][-e](.tar|.tar.gz|.tgz).
var (
	archiveDateTime = regexp.MustCompile(`^(.*)(\d{4}[01]\d[0123]\d)T(\d{6}(?:\.\d{0,6})?)Z(.*)$`)
	archivePrefix   = regexp.MustCompile(`^gs://([^/]*)/(?:([a-z-]+)/)?([a-z0-9-]+)/(\d{4}/[01]\d/[0123]\d)/$`)
	archiveSuffix   = regexp.MustCompile(`^(?:-([a-z0-9-]+))?-(mlab\d|third)-([a-z]{3}\d[0-9t]|party)-([a-z-]+)(?:-(\d{4}))?(-e)?(\.tar|\.tar\.gz|\.tgz)$`)
)

func validateArchiveURL(url string) (map[string]interface{}, error) {
	m := archiveDateTime.FindStringSubmatch(url)
	if m == nil {
		return nil, errors.New("path missing date-time string")
	}
	pre := archivePrefix.FindStringSubmatch(m[1])
	if pre == nil {
		return nil, fmt.Errorf("invalid preamble %q", m[1])
	}
	post := archiveSuffix.FindStringSubmatch(m[4])
	if post == nil {
		return nil, fmt.Errorf("invalid postamble %q", m[4])
	}
	fields := map[string]interface{}{
		"bucket": pre[1], "experiment_dir": pre[2], "datatype": pre[3], "date_path": pre[4],
		"packed_date": m[2], "packed_time": m[3], "datatype2": post[1], "host": post[2],
		"site": post[3], "experiment": post[4],
	}
	return fields, nil
}
