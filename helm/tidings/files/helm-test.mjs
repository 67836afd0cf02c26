// `helm test`: a change written through the records service reaches a Socket.IO client of the
// gateways. As the superuser: create a collection, subscribe to it through the gateway Service,
// write a record through the records Service, wait for its `change`, delete the collection.
// Runs in the Tidings image (Node 22, socket.io-client in /app/node_modules); outside it, point
// MODULES_FROM at a checkout: `RECORDS_URL=http://127.0.0.1:8090 GATEWAY_URL=http://127.0.0.1:8090
// SUPERUSER_EMAIL=… SUPERUSER_PASSWORD=… MODULES_FROM=. node helm/tidings/files/helm-test.mjs`.
// Exit code 0: delivered; 1: not, with the reason on stderr.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const env = process.env;
const timeoutMs = Number(env.TIMEOUT_SECONDS || 60) * 1000;
const deadline = Date.now() + timeoutMs;
const log = (message) => console.log(`helm test: ${message}`);

class Failure extends Error {}

function setting(name) {
  const value = env[name];
  if (!value) throw new Failure(`${name} is not set`);
  return value;
}

/** A JSON request; retried while the service cannot be reached (it may be starting). */
async function call(base, method, path, { token, body, until = deadline } = {}) {
  for (;;) {
    try {
      const response = await fetch(new URL(path, base), {
        method,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(Math.max(1, Math.min(10_000, until - Date.now()))),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch (error) {
      if (error instanceof SyntaxError || Date.now() + 1000 >= until)
        throw new Failure(
          `${method} ${new URL(path, base)}: ${error.cause?.code ?? error.message}`,
        );
      await new Promise((done) => setTimeout(done, 1000));
    }
  }
}

function expectStatus(answer, status, what) {
  if (answer.status !== status) {
    const { code, message } = answer.body ?? {};
    throw new Failure(`${what}: HTTP ${answer.status} ${code ?? ""} ${message ?? ""}`.trim());
  }
  return answer.body;
}

/** Settles with the first of `events` on `socket`, or rejects when the deadline passes. */
function next(socket, event, matches = () => true) {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Failure(`no ${event} within ${timeoutMs / 1000} s`)),
      Math.max(0, deadline - Date.now()),
    );
    const listener = (payload) => {
      if (!matches(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      done(payload);
    };
    socket.on(event, listener);
  });
}

async function main() {
  const recordsUrl = setting("RECORDS_URL");
  const gatewayUrl = setting("GATEWAY_URL");
  const email = env.SUPERUSER_EMAIL;
  const password = env.SUPERUSER_PASSWORD;
  if (!email || !password)
    throw new Failure(
      "no superuser: set auth.superuserEmail and auth.superuserPassword (or the keys " +
        "TIDINGS_SUPERUSER_EMAIL and TIDINGS_SUPERUSER_PASSWORD of existingSecret)",
    );
  // The image's own socket.io-client (a dependency of @tidings/client), found from its folder.
  const require = createRequire(`${resolve(env.MODULES_FROM || "/app")}/`);
  // biome-ignore lint/correctness/noUndeclaredDependencies: resolved from MODULES_FROM, not here
  const { io } = require("socket.io-client");

  const { token } = expectStatus(
    await call(recordsUrl, "POST", "/api/auth/login", { body: { email, password } }),
    200,
    `signing in as ${email}`,
  );
  log(`signed in as ${email} at ${recordsUrl}`);

  const collection = `helm_test_${randomBytes(6).toString("hex")}`;
  expectStatus(
    await call(recordsUrl, "POST", "/api/collections", {
      token,
      body: { name: collection, type: "base", fields: [{ name: "note", type: "text" }] },
    }),
    201,
    `creating the collection ${collection}`,
  );
  log(`created the collection ${collection}`);

  const socket = io(gatewayUrl, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { token },
    timeout: Math.max(1, deadline - Date.now()),
  });
  try {
    await new Promise((done, fail) => {
      socket.once("connect", done);
      socket.once("connect_error", (error) =>
        fail(new Failure(`connecting to ${gatewayUrl}: ${error.data?.code ?? error.message}`)),
      );
    });
    log(`connected to ${gatewayUrl} (Socket.IO over WebSocket)`);
    const ack = await socket.timeout(Math.max(1, deadline - Date.now())).emitWithAck("subscribe", {
      collection,
    });
    if (!ack?.ok) throw new Failure(`subscribe: ${ack?.error?.code} ${ack?.error?.message}`);
    log(`subscribed to ${collection}`);

    const note = `written by helm test at ${new Date().toISOString()}`;
    const written = Date.now();
    const record = expectStatus(
      await call(recordsUrl, "POST", `/api/collections/${collection}/records`, {
        token,
        body: { note },
      }),
      201,
      "writing a record",
    );
    const change = await next(
      socket,
      "change",
      (c) => c?.action === "created" && c.record?.id === record.id,
    );
    if (change.record.note !== note) throw new Failure(`the change carries ${change.record.note}`);
    log(`received the change of record ${record.id} after ${Date.now() - written} ms`);
  } finally {
    socket.close();
    // With time of its own: a change that never came used up the deadline.
    const removed = await call(recordsUrl, "DELETE", `/api/collections/${collection}`, {
      token,
      until: Date.now() + 10_000,
    }).catch((error) => ({ status: error.message }));
    if (removed.status === 204) log(`deleted the collection ${collection}`);
    else
      console.error(`helm test: could not delete the collection ${collection} (${removed.status})`);
  }
}

try {
  await main();
  log("passed");
  process.exit(0);
} catch (error) {
  console.error(`helm test failed: ${error instanceof Failure ? error.message : error.stack}`);
  process.exit(1);
}
