import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate for localhost and 127.0.0.1, valid one day, made by openssl: its files, and its PEM to trust. */
export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: Buffer;
}

/** Makes a self-signed EC certificate in a fresh temporary directory. */
export function selfSignedCert(): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), "personsvc-tls-"));
  const [certFile, keyFile] = [join(dir, "cert.pem"), join(dir, "key.pem")];
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { certFile, keyFile, ca: readFileSync(certFile) };
}
