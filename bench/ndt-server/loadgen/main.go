// ndt7-load runs many ndt7 subtests at once against one server, as concurrent clients would:
// each connection negotiates the ndt7 subprotocol, then downloads (reads and discards every
// message) or uploads (sends 1 MiB binary messages for 10 s while reading the server's
// measurements). It prints one JSON line: tests started, completed, application bytes, seconds.
//
// Usage: ndt7-load -server 127.0.0.1:8080 -n 300 [-upload] [-scheme wss]
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

var (
	server = flag.String("server", "127.0.0.1:8080", "host:port of the ndt7 server")
	scheme = flag.String("scheme", "ws", "ws, or wss (the certificate is not verified)")
	n      = flag.Int("n", 300, "concurrent tests")
	upload = flag.Bool("upload", false, "run upload tests instead of downloads")
)

func main() {
	flag.Parse()
	var bytes, ok int64
	var wg sync.WaitGroup
	start := time.Now()
	payload := make([]byte, 1<<20)
	prepared, err := websocket.NewPreparedMessage(websocket.BinaryMessage, payload)
	if err != nil {
		panic(err)
	}
	path := "/ndt/v7/download"
	if *upload {
		path = "/ndt/v7/upload"
	}
	for i := 0; i < *n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1 << 16,
				WriteBufferSize: 1 << 16,
				// Loopback benchmarks against a self-signed certificate.
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
			h := http.Header{}
			h.Set("Sec-WebSocket-Protocol", "net.measurementlab.ndt.v7")
			conn, _, err := d.Dial(*scheme+"://"+*server+path+"?client_name=ndt7-load", h)
			if err != nil {
				fmt.Fprintln(os.Stderr, "dial:", err)
				return
			}
			defer conn.Close()
			conn.SetReadLimit(1 << 24)
			conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			done := make(chan struct{})
			if *upload {
				go func() {
					end := time.Now().Add(10 * time.Second)
					for time.Now().Before(end) {
						select {
						case <-done:
							return
						default:
						}
						if conn.WritePreparedMessage(prepared) != nil {
							return
						}
						atomic.AddInt64(&bytes, int64(len(payload)))
					}
				}()
			}
			for {
				_, r, err := conn.NextReader()
				if err != nil {
					close(done)
					if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
						atomic.AddInt64(&ok, 1)
					}
					return
				}
				m, _ := io.Copy(io.Discard, r)
				if !*upload {
					atomic.AddInt64(&bytes, m)
				}
			}
		}()
	}
	wg.Wait()
	out, _ := json.Marshal(map[string]interface{}{
		"tests": *n, "completed": ok, "bytes": bytes, "seconds": time.Since(start).Seconds()})
	fmt.Println(string(out))
}
