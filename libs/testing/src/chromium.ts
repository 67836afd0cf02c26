import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`): playwright-core never downloads a browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless Chromium for a browser test, quiet: no sandbox, GPU, updates or background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
