import { requireUser, type TokenService, toAuthUser, tokenFromHeader } from "@tidings/auth";
import type { PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { LoginPolicy } from "./login-policy.ts";
import { newPasswordSchema } from "./password-policy.ts";
import { logIn, registerUser, revokeTokens } from "./users.ts";

const loginBody = z.strictObject({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
});

/**
 * `/api/auth/*`: register, log in, who am I, refresh, revoke. Rate limited per client address;
 * logins also per account ({@link LoginPolicy}).
 */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: { prisma: PrismaClient; tokens: TokenService; login: LoginPolicy },
): void {
  const { prisma, tokens, login } = deps;
  const limited = { config: { rateLimit: login.perAddress } };
  const registerBody = z.strictObject({
    email: z.email().max(254),
    password: newPasswordSchema(login.passwordMinLength),
    name: z.string().max(200).optional(),
  });

  app.post("/api/auth/register", limited, async (request, reply) => {
    const body = parseInput(registerBody, request.body);
    const user = await registerUser(prisma, body);
    return reply.status(201).send({ token: await tokens.issue(user), user: toAuthUser(user) });
  });

  app.post("/api/auth/login", async (request) => {
    const body = parseInput(loginBody, request.body);
    const user = await logIn(prisma, login, request.ip, body.email, body.password);
    return { token: await tokens.issue(user), user: toAuthUser(user) };
  });

  app.get("/api/auth/me", async (request) => ({ user: requireUser(request) }));

  app.post("/api/auth/refresh", limited, async (request) => {
    const user = await prisma.user.findUnique({ where: { id: requireUser(request).id } });
    if (!user)
      throw new TidingsError("FORBIDDEN", "Tokens of the identity provider are refreshed there.");
    // The signature check is cached: reading the token's claims again costs nothing.
    const token = tokenFromHeader(request.headers.authorization) as string;
    if ((await tokens.verify(token)).fixedLifetime)
      throw new TidingsError(
        "FORBIDDEN",
        "An impersonation token keeps the lifetime it was given.",
      );
    return { token: await tokens.issue(user), user: toAuthUser(user) };
  });

  app.post("/api/auth/revoke", limited, async (request, reply) => {
    const user = requireUser(request);
    if (!(await prisma.user.findUnique({ where: { id: user.id } }))) {
      throw new TidingsError("FORBIDDEN", "Tokens of the identity provider are revoked there.");
    }
    await revokeTokens(prisma, user.id);
    tokens.userChanged(user.id);
    return reply.status(204).send();
  });
}
