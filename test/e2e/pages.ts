// The pages as the browser tests open them: the customer chat page, the agent console and
// /ops signed in, what a page sends and receives over its WebSocket, and the problems it logs.
import type { BrowserContext, Page } from "playwright-core";
import { expect, inject } from "vitest";

const baseUrl = inject("baseUrl");

/** The chat page in a new tab, connected. */
export async function customerPage(context: BrowserContext, lang: string): Promise<Page> {
  return openChat(await context.newPage(), lang);
}

/** Opens the chat page in this tab and waits until it is connected. */
export async function openChat(page: Page, lang: string): Promise<Page> {
  await page.goto(`${baseUrl}/?lang=${lang}`);
  await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("online");
  return page;
}

/** Types a message into the chat page and sends it. */
export async function say(page: Page, text: string): Promise<void> {
  await page.locator("#text").fill(text);
  await page.keyboard.press("Enter");
}

/** The agent console in a new tab, signed in with an operator key and connected. */
export async function agentPage(context: BrowserContext, key: string, lang: string): Promise<Page> {
  return openConsole(await context.newPage(), key, lang);
}

/** Opens the agent console in this tab, signs in and waits until it is connected. */
export async function openConsole(page: Page, key: string, lang: string): Promise<Page> {
  await page.goto(`${baseUrl}/agent?lang=${lang}`);
  await page.locator("#key").fill(key);
  await page.keyboard.press("Enter");
  await expect.poll(() => page.locator("#conn").getAttribute("data-state")).toBe("connected");
  return page;
}

/** /ops, signed in with an operator key. */
export async function opsSignIn(page: Page, key: string): Promise<void> {
  await page.goto(`${baseUrl}/ops`);
  await page.locator("#key").fill(key);
  await page.keyboard.press("Enter");
}

/** Collects page errors, console errors and CSP violations. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  void page.addInitScript('document.addEventListener("securitypolicyviolation", (e) => console.error("CSP " + e.violatedDirective + " " + e.blockedURI))');
  return problems;
}

/** A JSON frame of the page's WebSocket, as sent or received. */
export type Frame = Record<string, unknown> & { type: string };

/** Every JSON frame the page's WebSockets send and receive, in order, from now on. */
export function wsFrames(page: Page): { sent: Frame[]; received: Frame[] } {
  const frames = { sent: [] as Frame[], received: [] as Frame[] };
  const parse = (payload: string | Buffer): Frame | null => {
    try {
      return JSON.parse(payload.toString()) as Frame;
    } catch {
      return null;
    }
  };
  const keep = (list: Frame[]) => (f: { payload: string | Buffer }) => {
    const frame = parse(f.payload);
    if (frame) list.push(frame);
  };
  page.on("websocket", (ws) => {
    ws.on("framesent", keep(frames.sent));
    ws.on("framereceived", keep(frames.received));
  });
  return frames;
}
