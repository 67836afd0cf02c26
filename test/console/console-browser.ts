import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";

/** Where each run's screenshots of the console go (overwritten each run; `.test-results/` is ignored by git). */
export const SCREENSHOT_DIR = new URL("../../.test-results/console/", import.meta.url).pathname;

/** Waits for the page to show something: live changes take a trip through the bus. */
export const poll = <T>(read: () => Promise<T>) =>
  expect.poll(read, { timeout: 15_000, interval: 50 });

/** A console tab that records script errors and console errors (CSP refusals included). */
export interface ConsoleTab {
  page: Page;
  problems: string[];
  screenshot(name: string): Promise<void>;
}

/** Opens the console at `base` in a browser context of its own (its own session storage). */
export async function openConsole(browser: Browser, base: string): Promise<ConsoleTab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // A step that cannot happen fails by name well before the test's own timeout.
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.goto(`${base}/_/`);
  return {
    page,
    problems,
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
  };
}

/** Signs in through the console's form and waits for the collections page. */
export async function signIn(tab: ConsoleTab, email: string, password: string): Promise<void> {
  const { page } = tab;
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
}

/** Goes to a section by its link in the sidebar. */
export async function section(tab: ConsoleTab, name: string): Promise<void> {
  await tab.page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name }).click();
}

/** Errors the page reported, apart from refused requests Chromium logs on its own. */
export function scriptProblems(tab: ConsoleTab): string[] {
  return tab.problems.filter((text) => !text.includes("Failed to load resource"));
}

/** Read in the page: the token the console signed in with (kept in the tab's session storage). */
export const SIGNED_IN_TOKEN = 'JSON.parse(sessionStorage.getItem("tidings.console.auth")).token';
