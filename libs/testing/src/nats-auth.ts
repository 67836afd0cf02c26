import { createHash } from "node:crypto";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";

// Key material for tests of NATS authentication, made in the test without nsc or nk.

const text = new TextDecoder();

/** An nkey user: the public key goes in the server's config, the seed in the client's file. */
export interface NkeyUser {
  /** `U…`: `authorization { users = [ { nkey: … } ] }`. */
  readonly publicKey: string;
  /** `SU…`: the contents of an nkey seed file. */
  readonly seed: string;
}

/** A new nkey user pair. */
export function createNkeyUser(): NkeyUser {
  const pair = createUser();
  return { publicKey: pair.getPublicKey(), seed: text.decode(pair.getSeed()) };
}

const base64url = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");

/** A NATS JWT (v2): ed25519-nkey signed by `issuer`, as nsc issues them. */
function signJwt(issuer: KeyPair, subject: string, name: string, nats: object): string {
  const claims = {
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  const jti = createHash("sha256").update(JSON.stringify(claims)).digest("base64url");
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const payload = base64url(JSON.stringify({ jti, ...claims }));
  const signature = issuer.sign(new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${base64url(signature)}`;
}

/** An operator-mode (decentralised JWT) set-up: the server's side and a user's .creds file. */
export interface OperatorAuth {
  /** `operator`, `resolver: MEMORY` and the preloaded account, for the server's config. */
  readonly serverConfig: string;
  /** A user's .creds file (its JWT, signed by the account, and its nkey seed). */
  readonly creds: string;
}

const UNLIMITED = -1;

/**
 * An operator, one account with JetStream allowed (no limits) and one user of it, each JWT
 * signed by its issuer, as `nsc` would make them.
 */
export function createOperatorAuth(): OperatorAuth {
  const operator = createOperator();
  // JetStream needs a system account to start in operator mode.
  const system = createAccount();
  const account = createAccount();
  const user = createUser();
  const operatorJwt = signJwt(operator, operator.getPublicKey(), "tidings-test", {
    type: "operator",
  });
  const accountJwt = signJwt(operator, account.getPublicKey(), "tidings", {
    type: "account",
    limits: {
      subs: UNLIMITED,
      data: UNLIMITED,
      payload: UNLIMITED,
      imports: UNLIMITED,
      exports: UNLIMITED,
      wildcards: true,
      conn: UNLIMITED,
      leaf: UNLIMITED,
      mem_storage: UNLIMITED,
      disk_storage: UNLIMITED,
      streams: UNLIMITED,
      consumer: UNLIMITED,
    },
    default_permissions: { pub: {}, sub: {} },
  });
  const userJwt = signJwt(account, user.getPublicKey(), "tidings-service", {
    type: "user",
    pub: {},
    sub: {},
    subs: UNLIMITED,
    data: UNLIMITED,
    payload: UNLIMITED,
  });
  const systemJwt = signJwt(operator, system.getPublicKey(), "SYS", {
    type: "account",
    limits: { subs: UNLIMITED, data: UNLIMITED, payload: UNLIMITED, conn: UNLIMITED },
  });
  const serverConfig = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    "resolver: MEMORY",
    "resolver_preload: {",
    `  ${system.getPublicKey()}: ${systemJwt}`,
    `  ${account.getPublicKey()}: ${accountJwt}`,
    "}",
  ].join("\n");
  const creds = [
    "-----BEGIN NATS USER JWT-----",
    userJwt,
    "------END NATS USER JWT------",
    "",
    "************************* IMPORTANT *************************",
    "NKEY Seed printed below can be used to sign and prove identity.",
    "NKEYs are sensitive and should be treated as secrets.",
    "",
    "-----BEGIN USER NKEY SEED-----",
    text.decode(user.getSeed()),
    "------END USER NKEY SEED------",
    "",
  ].join("\n");
  return { serverConfig, creds };
}
