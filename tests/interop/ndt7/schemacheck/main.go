// ndt7-schema-check decodes ndt7 result files into the current upstream ndt-server's
// data.NDT7Result (v0.25.0), rejecting unknown fields, and re-encodes them with Go's
// encoding/json: our files must come out byte for byte identical, which proves the field set,
// key order, number types and time format are exactly upstream's.
//
// Usage: ndt7-schema-check FILE.json[.gz]...   (exit 1 if any file differs)
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/m-lab/ndt-server/data"
)

func check(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var result data.NDT7Result
	if err := dec.Decode(&result); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	again, err := json.Marshal(&result)
	if err != nil {
		return fmt.Errorf("marshal: %w", err)
	}
	if !bytes.Equal(again, raw) {
		i := 0
		for i < len(raw) && i < len(again) && raw[i] == again[i] {
			i++
		}
		lo := i - 80
		if lo < 0 {
			lo = 0
		}
		hi := func(b []byte) int {
			if i+80 < len(b) {
				return i + 80
			}
			return len(b)
		}
		return fmt.Errorf("differs from Go's encoding at byte %d:\n ours: %s\n go:   %s", i,
			raw[lo:hi(raw)], again[lo:hi(again)])
	}
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ndt7-schema-check FILE...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		if err := check(path); err != nil {
			fmt.Printf("FAIL %s: %v\n", path, err)
			failed = true
		} else {
			fmt.Printf("OK %s\n", path)
		}
	}
	if failed {
		os.Exit(1)
	}
}
