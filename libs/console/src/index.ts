export { CONSOLE_PATH, CONSOLE_PUBLIC_DIR } from "./console-files.ts";
export { consolePage } from "./console-page.ts";
