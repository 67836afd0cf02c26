import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { requestToken, selectSubprotocol } from "./request-token.ts";

const token = (headers: Record<string, string | string[]>) =>
  requestToken({ headers } as unknown as IncomingMessage);

describe("requestToken", () => {
  it("reads each source: Bearer, X-Auth-Token, the token cookie, the Authorization subprotocol", () => {
    expect(token({ authorization: "Bearer a.b.c" })).toBe("a.b.c");
    expect(token({ "x-auth-token": "x" })).toBe("x");
    expect(token({ "x-auth-token": ["x", "y"] })).toBe("x");
    expect(token({ cookie: "theme=dark; token=c%2Ed" })).toBe("c.d");
    expect(token({ cookie: 'token="quoted"' })).toBe("quoted");
    expect(token({ cookie: "token=%E0%A4%A" })).toBe("%E0%A4%A");
    expect(token({ "sec-websocket-protocol": "Authorization,jwt" })).toBe("jwt");
    expect(token({ "sec-websocket-protocol": "Authorization, jwt" })).toBe("jwt");
  });

  it("takes the first source that has a token, in FastSchema's order", () => {
    const all = {
      authorization: "Bearer header",
      "x-auth-token": "x",
      cookie: "token=cookie",
      "sec-websocket-protocol": "Authorization, sub",
    };
    expect(token(all)).toBe("header");
    expect(token({ ...all, authorization: "" })).toBe("x");
    expect(token({ ...all, authorization: "", "x-auth-token": " " })).toBe("cookie");
    expect(token({ "sec-websocket-protocol": "Authorization", cookie: "tokenx=1" })).toBe(
      undefined,
    );
    expect(token({ "sec-websocket-protocol": "chat, jwt" })).toBe(undefined);
  });
});

describe("selectSubprotocol", () => {
  it("selects Authorization only when it was offered", () => {
    expect(selectSubprotocol(new Set(["Authorization", "jwt"]))).toBe("Authorization");
    expect(selectSubprotocol(new Set(["chat"]))).toBe(false);
    expect(selectSubprotocol(new Set())).toBe(false);
  });
});
