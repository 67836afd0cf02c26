import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A test certificate authority with a server and a client certificate, as PEM files. */
export interface TlsFiles extends AsyncDisposable {
  readonly dir: string;
  readonly caFile: string;
  /** For `localhost` and `127.0.0.1`. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** For mutual TLS (extended key usage clientAuth). */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function issue(dir: string, name: string, subject: string, extensions: string) {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await run("openssl", ["req", ...KEY, "-keyout", key, "-out", csr, "-subj", subject]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    join(dir, "ca.pem"),
    "-CAkey",
    join(dir, "ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    cert,
  ]);
  return { cert, key };
}

/**
 * Makes a CA, a server certificate for localhost/127.0.0.1 and a client certificate with
 * `openssl` in a temporary folder, removed on dispose.
 */
export async function createTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), "tidings-tls-"));
  try {
    await run("openssl", [
      "req",
      "-x509",
      ...KEY,
      "-keyout",
      join(dir, "ca.key"),
      "-out",
      join(dir, "ca.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=tidings-test-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const server = await issue(
      dir,
      "server",
      "/CN=localhost",
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    );
    const client = await issue(
      dir,
      "client",
      "/CN=tidings-client",
      "extendedKeyUsage=clientAuth\n",
    );
    return {
      dir,
      caFile: join(dir, "ca.pem"),
      serverCertFile: server.cert,
      serverKeyFile: server.key,
      clientCertFile: client.cert,
      clientKeyFile: client.key,
      [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
