import { fileURLToPath } from "node:url";

/**
 * Where the bundled console lives: `dist/public` of this package, reached the same way from
 * `src/` (run from source) and `dist/` (built), which are siblings.
 */
export const CONSOLE_PUBLIC_DIR = fileURLToPath(new URL("../dist/public/", import.meta.url));

/** Where the console is served; the page routes inside it by the URL's fragment. */
export const CONSOLE_PATH = "/_/";
