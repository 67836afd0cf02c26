import {
  type Change,
  type ClientOptions,
  type CloseNotice,
  type ConnectionState,
  createClient,
  type ExpiringNotice,
  isForbidden,
  isTokenRevoked,
  isUnauthorized,
  type TidingsClient,
  type TidingsError,
} from "@tidings/client";
import { TEST_PASSWORD, type TestUser } from "@tidings/records/testing";
import { eventually, pause } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";

describe("tokens against a live server", () => {
  let cluster: Cluster;
  let user: TestUser;
  const clients: TidingsClient[] = [];
  const client = (options: ClientOptions) => {
    const made = createClient(cluster.nodes[0]!.url, {
      ...options,
      socket: { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 200 },
    });
    clients.push(made);
    return made;
  };
  const create = async (title: string) => {
    const answer = await cluster.call("POST", "/api/collections/members/records", {
      body: { title },
      token: user.token,
    });
    expect(answer.status).toBe(201);
  };
  const watch = (t: TidingsClient) => {
    const seen = {
      states: [] as ConnectionState[],
      errors: [] as TidingsError[],
      expiring: [] as ExpiringNotice[],
      closing: [] as CloseNotice[],
    };
    t.on("state", (state) => seen.states.push(state));
    t.on("error", (error) => seen.errors.push(error));
    t.on("tokenExpiring", (notice) => seen.expiring.push(notice));
    t.on("serverDisconnect", (notice) => seen.closing.push(notice));
    return seen;
  };

  beforeAll(async () => {
    cluster = await startCluster();
    user = await cluster.user();
    const signedIn = '@request.auth.id != ""';
    await cluster.collection({
      name: "members",
      fields: [{ name: "title", type: "text" }],
      listRule: signedIn,
      viewRule: signedIn,
      createRule: signedIn,
    });
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("refresh - auth:expiring calls refreshToken and the connection outlives the first token", async () => {
    let refreshed = 0;
    const t = client({
      token: await cluster.shortToken(user.user.id, 2),
      refreshToken: async () => {
        refreshed += 1;
        return user.token;
      },
    });
    const seen = watch(t);
    const changes: Change[] = [];
    await t.collection("members").subscribe("*", (change) => changes.push(change));
    await eventually(() => expect(refreshed).toBe(1));
    expect(seen.expiring).toEqual([{ expiresAt: expect.any(String) }]);
    await pause(2_500);
    await create("after the first token");
    await eventually(() => expect(changes).toHaveLength(1));
    expect(seen.states).toEqual(["open"]);
    expect(seen.closing).toEqual([]);
  });

  it("expiry - without a new token the server closes with token_expired and the client waits for setToken", async () => {
    const t = client({ token: await cluster.shortToken(user.user.id, 2) });
    const seen = watch(t);
    const changes: Change[] = [];
    await t.collection("members").subscribe("*", (change) => changes.push(change));
    await create("before expiry");
    await eventually(() => expect(changes).toHaveLength(1));

    await eventually(() => expect(t.state).toBe("closed"), 5_000);
    expect(seen.closing).toEqual([
      { reason: "token_expired", code: "UNAUTHORIZED", reconnect: false },
    ]);
    expect(seen.errors.some(isUnauthorized)).toBe(true);
    await create("while closed");
    await pause(500);
    expect(t.state).toBe("closed");

    await t.setToken(user.token);
    await eventually(() => expect(t.state).toBe("open"));
    await eventually(() => expect(changes).toHaveLength(2));
    expect(changes[1]?.record).toMatchObject({ title: "while closed" });
    expect(seen.states).toEqual(["open", "closed", "connecting", "open"]);
  });

  it("setToken - sends auth on an open connection; another user's token is FORBIDDEN", async () => {
    const t = client({ token: user.token });
    await t.collection("members").subscribe("*", () => {});
    await expect(t.setToken(await cluster.shortToken(user.user.id, 600))).resolves.toBeUndefined();
    const other = await cluster.user();
    const refused = await t.setToken(other.token).catch((error: unknown) => error);
    expect(isForbidden(refused)).toBe(true);
    expect(t.state).toBe("open");
  });

  it("connect - a refused token is refreshed once, and subscribes made meanwhile go through", async () => {
    let refreshed = 0;
    const t = client({
      token: await cluster.shortToken(user.user.id, -10),
      refreshToken: async () => {
        refreshed += 1;
        return refreshed === 1 ? user.token : "never asked twice";
      },
    });
    const seen = watch(t);
    const changes: Change[] = [];
    await t.collection("members").subscribe("*", (change) => changes.push(change));
    expect(t.state).toBe("open");
    expect(refreshed).toBe(1);
    expect(seen.errors.map((error) => error.code)).toEqual(["UNAUTHORIZED"]);
    expect(seen.states).not.toContain("closed");
    await create("refreshed");
    await eventually(() => expect(changes).toHaveLength(1));
  });

  it("revoke - the server closes with token_revoked: the client reports isTokenRevoked, does not reconnect or refresh, and resumes after setToken", async () => {
    const ann = await cluster.user();
    let refreshed = 0;
    const t = client({
      token: ann.token,
      refreshToken: async () => {
        refreshed += 1;
        return ann.token;
      },
    });
    const seen = watch(t);
    const changes: Change[] = [];
    await t.collection("members").subscribe("*", (change) => changes.push(change));
    expect((await cluster.call("POST", "/api/auth/revoke", { token: ann.token })).status).toBe(204);
    await eventually(() => expect(t.state).toBe("closed"));
    expect(seen.closing).toEqual([
      { reason: "token_revoked", code: "UNAUTHORIZED", reconnect: false },
    ]);
    expect(seen.errors.filter(isTokenRevoked)).toHaveLength(1);
    const refused = await t
      .collection("members")
      .subscribe("*", () => {})
      .catch((error: unknown) => error);
    expect(isTokenRevoked(refused)).toBe(true);
    await create("while revoked");
    await pause(500);
    expect(t.state).toBe("closed");
    expect(refreshed).toBe(0);

    const login = await cluster.call("POST", "/api/auth/login", {
      body: { email: ann.user.email, password: TEST_PASSWORD },
    });
    await t.setToken(login.body.token);
    await eventually(() => expect(t.state).toBe("open"));
    await eventually(() => expect(changes).toHaveLength(1));
    expect(changes[0]?.record).toMatchObject({ title: "while revoked" });
    expect(seen.states).toEqual(["open", "closed", "connecting", "open"]);
  });

  it("connect - a bad token is UNAUTHORIZED: the client closes, reports it and refuses subscribes", async () => {
    const t = client({ token: "not-a-token" });
    const seen = watch(t);
    await eventually(() => expect(t.state).toBe("closed"));
    expect(seen.errors.map((error) => error.code)).toEqual(["UNAUTHORIZED"]);
    const refused = await t
      .collection("members")
      .subscribe("*", () => {})
      .catch((error: unknown) => error);
    expect(isUnauthorized(refused)).toBe(true);
  });
});
