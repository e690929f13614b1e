// Command etl-archive-path-check reads archive URIs (gs://bucket/object, one per line) on stdin
// and checks each against the archive-path pattern that M-Lab's ETL (etl/globals.go,
// ValidateTestPath) applies before it parses an archive: a date-time stamp splits the path into
// a preamble (bucket, experiment, datatype, YYYY/MM/DD) and a postamble (datatype, mlabN-site,
// experiment, suffix), and the datatype directory must be one ETL parses. It prints every
// rejected URI and exits 1 if there was any.
//
// The github.com/m-lab/etl module is not served by the module proxy this project can reach, so
// the pattern pieces are restated here from ETL's published pattern.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
)

var (
	dateTime = `(\d{4}[01]\d[0123]\d)T(\d{6}(\.\d{0,6})?)Z`
	basic    = regexp.MustCompile(`(?P<preamble>.*)` + dateTime + `(?P<postamble>.*)`)
	// gs://<bucket>/[<experiment>/]<datatype>/YYYY/MM/DD/
	preamble = regexp.MustCompile(`^gs://([^/]*)/(?:([a-z-]+)/)?([a-z0-9-]+)/(\d{4}/[01]\d/[0123]\d)/$`)
	// [-<datatype>]-<mlabN|third>-<site|party>-<experiment>[-NNNN][-e]<.tar|.tar.gz|.tgz>
	postamble = regexp.MustCompile(`^(?:-([a-z0-9-]+))?-(mlab\d|third)-([a-z]{3}\d[0-9t]|party)-` +
		`([a-z-]+)(?:-(\d{4}))?(-e)?(\.tar|\.tar.gz|\.tgz)$`)
)

// check returns "" for an accepted URI, else why ETL would reject it.
func check(uri string, datatypes map[string]bool) string {
	b := basic.FindStringSubmatch(uri)
	if b == nil {
		return "no date-time stamp"
	}
	pre := preamble.FindStringSubmatch(b[1])
	if pre == nil {
		return "bad preamble " + b[1]
	}
	post := postamble.FindStringSubmatch(b[5])
	if post == nil {
		return "bad postamble " + b[5]
	}
	if !datatypes[pre[3]] {
		return "datatype directory ETL does not parse: " + pre[3]
	}
	if post[1] != "" && post[1] != pre[3] {
		return fmt.Sprintf("datatype in name %q differs from directory %q", post[1], pre[3])
	}
	if pre[2] != "" && pre[2] != post[4] {
		return fmt.Sprintf("experiment in name %q differs from directory %q", post[4], pre[2])
	}
	// The date directory and the stamp's date agree for pusher archives uploaded the same day;
	// ETL does not require it, so neither do we.
	return ""
}

func main() {
	list := flag.String("datatypes",
		"annotation,annotation2,hopannotation1,hopannotation2,ndt,ndt5,ndt7,pcap,scamper1,"+
			"sidestream,switch,tcpinfo,traceroute,paris-traceroute",
		"comma-separated datatype directories ETL parses")
	flag.Parse()
	datatypes := map[string]bool{}
	for _, d := range strings.Split(*list, ",") {
		datatypes[strings.TrimSpace(d)] = true
	}
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	valid, invalid := 0, 0
	for scanner.Scan() {
		uri := strings.TrimSpace(scanner.Text())
		if uri == "" {
			continue
		}
		if why := check(uri, datatypes); why != "" {
			fmt.Printf("REJECTED %s: %s\n", uri, why)
			invalid++
			continue
		}
		valid++
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(2)
	}
	fmt.Printf("%d valid, %d rejected\n", valid, invalid)
	if invalid > 0 || valid == 0 {
		os.Exit(1)
	}
}
