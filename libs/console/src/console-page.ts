import { errorBody } from "@tidings/protocol";
import { loadAssetDir, type StaticAsset, sendAsset, sendPage } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { CONSOLE_PATH, CONSOLE_PUBLIC_DIR } from "./console-files.ts";

const NOT_BUILT =
  "The admin console is not built; run `npm install` or `npm run build` on the server, then restart it.";

/**
 * The admin console: `GET /_/` answers its page and `GET /_/<file>` the files it loads, read once
 * from `dir` at registration. Without a build the server starts all the same and these routes
 * answer 503 `UNAVAILABLE` saying why. Everything the console shows comes from the REST API with
 * the signed-in superuser's token, so the files hold no secret.
 */
export async function consolePage(
  app: FastifyInstance,
  options: { dir?: string } = {},
): Promise<void> {
  const assets = await loadAssetDir(options.dir ?? CONSOLE_PUBLIC_DIR).catch(
    () => new Map<string, StaticAsset>(),
  );
  const index = assets.get("index.html");
  if (!index) {
    app.log.warn({ dir: options.dir ?? CONSOLE_PUBLIC_DIR }, "admin console: no build found");
    app.get(`${CONSOLE_PATH}*`, (_request, reply) =>
      reply.code(503).send(errorBody("UNAVAILABLE", NOT_BUILT)),
    );
    return;
  }
  // `/_` without the slash would resolve the page's relative file names against `/`.
  app.get(CONSOLE_PATH.slice(0, -1), (_request, reply) => reply.redirect(CONSOLE_PATH, 308));
  app.get(CONSOLE_PATH, (request, reply) => sendPage(request, reply, index));
  for (const [name, asset] of assets) {
    if (name !== "index.html")
      app.get(`${CONSOLE_PATH}${name}`, (request, reply) => sendAsset(request, reply, asset));
  }
}
