// Runs M-Lab's ndt7-js (npm @m-lab/ndt7) in Node against a server, as a browser would: the
// library's own worker files run in an in-process Worker shim, WebSocket comes from npm `ws`.
// Usage: node run_ndt7_js.js HOST:PORT ws|wss
// Prints one JSON line with the results; exits non-zero unless both subtests completed.
'use strict';
const fs = require('fs');
const path = require('path');
const WebSocket = require('ws');
const ndt7 = require('@m-lab/ndt7');

const [server, protocol] = process.argv.slice(2);

// Self-signed certificates are fine here; everything else is the library's own code.
class TestWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, {rejectUnauthorized: false});
  }
}

// The Worker API ndt7.js uses: new Worker(file), onmessage, postMessage, terminate. The worker
// script sees self, postMessage and WebSocket as a browser worker would.
class InProcessWorker {
  constructor(file) {
    const self = {};
    this.terminated = false;
    const toMain = (data) => setImmediate(() => {
      if (!this.terminated && this.onmessage) this.onmessage({data});
    });
    new Function('self', 'postMessage', 'WebSocket', fs.readFileSync(file, 'utf8'))(
        self, toMain, TestWebSocket);
    this.self = self;
  }
  postMessage(data) {
    setImmediate(() => this.self.onmessage({data}));
  }
  terminate() {
    this.terminated = true;
  }
}
global.Worker = InProcessWorker;

const src = path.dirname(require.resolve('@m-lab/ndt7'));
const out = {errors: [], download: null, upload: null, serverMessages: {download: 0, upload: 0}};
const timer = setTimeout(() => {
  out.errors.push('timeout');
  console.log(JSON.stringify(out));
  process.exit(3);
}, 60000);

ndt7.test({
  server, protocol,
  userAcceptedDataPolicy: true,
  downloadworkerfile: path.join(src, 'ndt7-download-worker.js'),
  uploadworkerfile: path.join(src, 'ndt7-upload-worker.js'),
  metadata: {client_name: 'ndt-server-cpp-interop', client_version: '1'},
}, {
  downloadMeasurement: (m) => {
    if (m.Source === 'server') out.serverMessages.download++;
  },
  uploadMeasurement: (m) => {
    if (m.Source === 'server') out.serverMessages.upload++;
  },
  downloadComplete: (d) => {
    const tcp = d.LastServerMeasurement && d.LastServerMeasurement.TCPInfo;
    out.download = {
      clientMbps: d.LastClientMeasurement && d.LastClientMeasurement.MeanClientMbps,
      uuid: d.LastServerMeasurement && d.LastServerMeasurement.ConnectionInfo.UUID,
      bytesAcked: tcp && tcp.BytesAcked,
      bbrBW: d.LastServerMeasurement && d.LastServerMeasurement.BBRInfo.BW,
    };
  },
  uploadComplete: (d) => {
    const tcp = d.LastServerMeasurement && d.LastServerMeasurement.TCPInfo;
    out.upload = {
      serverMbps: tcp ? tcp.BytesReceived / tcp.ElapsedTime * 8 : 0,
      uuid: d.LastServerMeasurement && d.LastServerMeasurement.ConnectionInfo.UUID,
    };
  },
  error: (e) => out.errors.push(String(e)),
}).then((rc) => {
  clearTimeout(timer);
  out.rc = rc;
  console.log(JSON.stringify(out));
  const ok = rc === 0 && out.errors.length === 0 && out.download && out.upload &&
      out.download.clientMbps > 0 && out.download.bytesAcked > 0 && out.upload.serverMbps > 0 &&
      out.serverMessages.download > 0 && out.serverMessages.upload > 0;
  process.exit(ok ? 0 : 1);
});
