import {
  type Authenticator,
  credsAuthenticator,
  type NodeConnectionOptions,
  nkeyAuthenticator,
} from "@nats-io/transport-node";

/** How the bus proves who it is to NATS and encrypts the connection: file contents, not paths. */
export interface NatsSecurity {
  /** A `.creds` file: a user JWT and its nkey seed (operator mode, as `nsc` issues them). */
  creds?: Uint8Array;
  /** An nkey seed file (`SU…`) of a user the server lists by its public key. */
  nkeySeed?: Uint8Array;
  /**
   * TLS, required when set (a server without TLS is refused): the CA that signed the server's
   * certificate (otherwise the system's), and a client certificate and key for mutual TLS. A
   * `tls://` URL asks for TLS too.
   */
  tls?: { ca?: string; cert?: string; key?: string };
}

/** What nats.js is given: the servers without credentials, and the credentials as options. */
export type NatsConnectionSettings = Pick<
  NodeConnectionOptions,
  "user" | "pass" | "token" | "authenticator" | "tls"
> & { servers: string[] };

/**
 * nats.js reads no credentials from a URL; this takes them out, as the Go client and the `nats`
 * CLI read them: `nats://user:password@host` is a user and password, `nats://token@host` a token.
 * Adds the authenticators of a creds file and an nkey seed, and TLS when asked for.
 */
export function natsConnectionSettings(
  servers: string | string[],
  security: NatsSecurity = {},
): NatsConnectionSettings {
  const settings: NatsConnectionSettings = { servers: [] };
  let wantsTls = false;
  for (const server of Array.isArray(servers) ? servers : [servers]) {
    if (!URL.canParse(server)) {
      settings.servers.push(server);
      continue;
    }
    const url = new URL(server);
    if (url.protocol === "tls:") wantsTls = true;
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    if (user && settings.user === undefined && settings.token === undefined) {
      if (url.password) Object.assign(settings, { user, pass });
      else settings.token = user;
    }
    url.username = "";
    url.password = "";
    settings.servers.push(url.toString().replace(/\/$/, ""));
  }
  const authenticators: Authenticator[] = [];
  if (security.creds) authenticators.push(credsAuthenticator(security.creds));
  if (security.nkeySeed) authenticators.push(nkeyAuthenticator(security.nkeySeed));
  if (authenticators.length > 0) settings.authenticator = authenticators;
  if (security.tls) {
    const { ca, cert, key } = security.tls;
    settings.tls = {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    };
  } else if (wantsTls) settings.tls = {};
  return settings;
}
