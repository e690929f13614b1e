// Validates every document of rendered Kubernetes manifests against the API schemas of the npm
// package kubernetes-models (types, required fields, formats). It does not reject unknown fields:
// check_manifests.py does that.
//
//   node k8s_schema.mjs NODE_MODULES_DIR FILE.yaml...
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: node k8s_schema.mjs NODE_MODULES_DIR FILE.yaml...");
  process.exit(2);
}
const load = (rel) => import(pathToFileURL(path.join(modules, rel)).href);
const yaml = (await load("js-yaml/index.js")).default;

let failures = 0;
let checked = 0;
for (const file of files) {
  const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d != null);
  for (const doc of docs) {
    const where = `${path.basename(file)}: ${doc.kind}/${doc.metadata?.name}`;
    if (typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") {
      console.log(`FAIL: ${where}: no apiVersion or kind`);
      failures++;
      continue;
    }
    const [group, version] = doc.apiVersion.includes("/")
      ? doc.apiVersion.split("/")
      : ["", doc.apiVersion];
    let Kind;
    try {
      const mod = await load(`kubernetes-models/${group ? group + "/" : ""}${version}/${doc.kind}.js`);
      Kind = mod[doc.kind];
    } catch (e) {
      console.log(`FAIL: ${where}: kubernetes-models has no ${doc.apiVersion} ${doc.kind}`);
      failures++;
      continue;
    }
    try {
      new Kind(doc).validate();
      checked++;
    } catch (e) {
      const details = (e.errors || []).map((x) => `${x.instancePath} ${x.message}`).join("; ");
      console.log(`FAIL: ${where}: ${details || e.message}`);
      failures++;
    }
  }
}
if (failures > 0) {
  console.log(`k8s schema: ${failures} invalid document(s)`);
  process.exit(1);
}
console.log(`ok: k8s schema (kubernetes-models): ${checked} documents valid`);
