// Locate-style access tokens for the container tests (an Ed25519 key made here, never M-Lab's):
//   node token.mjs keygen DIR         writes DIR/private.pem and DIR/verify.jwk (public JWK)
//   node token.mjs sign DIR MACHINE   prints a token for ndt7 on MACHINE (aud), valid 10 minutes
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const [action, dir, machine] = process.argv.slice(2);
const kid = "test_locate_key";
const b64url = (data) => Buffer.from(data).toString("base64url");

if (action === "keygen") {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "private.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
  const jwk = { use: "sig", ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA" };
  fs.writeFileSync(path.join(dir, "verify.jwk"), JSON.stringify(jwk));
} else if (action === "sign" && machine) {
  const key = crypto.createPrivateKey(fs.readFileSync(path.join(dir, "private.pem")));
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "EdDSA", kid, typ: "JWT" }));
  const claims = b64url(JSON.stringify({
    aud: [machine], iss: "locate", sub: "ndt", exp: now + 600, nbf: now - 60, iat: now - 60,
    jti: crypto.randomUUID(),
  }));
  const signature = crypto.sign(null, Buffer.from(`${header}.${claims}`), key);
  process.stdout.write(`${header}.${claims}.${b64url(signature)}\n`);
} else {
  console.error("usage: node token.mjs keygen DIR | sign DIR MACHINE");
  process.exit(2);
}
