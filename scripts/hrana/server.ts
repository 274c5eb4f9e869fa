// An HTTP server speaking Hrana over HTTP, version 2 (`/v2/pipeline`, JSON), on a local
// libSQL file with the real engine: what `@libsql/client/web` talks to in production
// (Turso, sqld), on one machine. Streams are identified by rotating batons; a stream inside
// a transaction owns the database until it commits, rolls back, closes or expires, and
// requests on other streams wait for it (SQLite has one writer, and the engine is
// synchronous, so waiting must happen here rather than in a busy handler).
//
// It is reachable from any page the developer's browser opens, so every request must name a
// loopback Host (DNS rebinding), carry the bearer token (generated per start) and, with a
// body, be application/json (a cross-site form cannot send that without a CORS preflight,
// which this server never grants). It runs only the statements the Worker and the KB tooling
// send (sql-guard.ts): the engine's file functions (readfile, writefile, fsdir, …), ATTACH,
// VACUUM, other PRAGMAs and tables outside the KB schema are refused.
//
// A restore (`npm run restore`) stages a verified database beside the file as `<file>.restored`
// and asks for it with POST /_dev/swap: the server waits for any open transaction, closes
// every stream, and renames it over the file; requests meanwhile wait, then see the new one.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Stream } from "./stream.ts";
import { ProtocolError } from "./values.ts";

export interface HranaServerOptions {
  /** Path of the database file. */
  path: string;
  port: number;
  host?: string;
  /** Every request must carry `Authorization: Bearer <authToken>` (see `newAuthToken`). */
  authToken: string;
  /** Idle streams are closed (and rolled back) after this long. */
  streamIdleMs?: number;
  /** Enables POST /_dev/availability, which tests use to inject an outage. */
  faultControl?: boolean;
}

export interface HranaServer {
  url: string;
  /** The bearer token clients must present. */
  authToken: string;
  server: Server;
  close(): Promise<void>;
  /** Open streams (for tests). */
  streams(): number;
  /** Swaps in the database staged at `<path>.restored` (see the header); throws when none is staged. */
  swap(): Promise<void>;
}

/** Where a restore stages the database this server should swap in. */
export const stagedPath = (path: string) => `${path}.restored`;

const MAX_BODY = 32 * 1024 * 1024;
/** Hosts a request may name: loopback only, with any port (a rebinding attack names its own host). */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

/** A fresh random token for one run of the endpoint. */
export function newAuthToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Why a request is refused before it is read, or null. */
function refusal(req: Pick<IncomingMessage, "method" | "headers">, authToken: string): { status: 401 | 403 | 415; code: string; message: string } | null {
  if (!LOOPBACK_HOST.test(req.headers.host ?? "")) return { status: 403, code: "HOST_NOT_ALLOWED", message: "Only loopback hosts may call the dev endpoint" };
  if (!sameToken(req.headers.authorization ?? "", `Bearer ${authToken}`)) return { status: 401, code: "UNAUTHORIZED", message: "Unauthorized" };
  if (req.method === "POST" && !/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Request bodies must be application/json" };
  return null;
}

/** Compares in constant time (over digests, so lengths do not leak either). */
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The swap's place in the lock (see `owner`). */
const SWAP = Symbol("swap");

interface Entry {
  stream: Stream;
  timer: NodeJS.Timeout;
}

export async function startHranaServer(options: HranaServerOptions): Promise<HranaServer> {
  if (options.authToken.length < 16) throw new Error("the dev endpoint needs an auth token of at least 16 characters");
  const idleMs = options.streamIdleMs ?? 10_000;
  const byBaton = new Map<string, Entry>();
  // The stream inside a transaction, or the swap under way: everyone else waits for it.
  let owner: Stream | typeof SWAP | null = null;
  let waiters: Array<() => void> = [];
  let available = true;

  const release = (stream: Stream | typeof SWAP) => {
    if (owner !== stream) return;
    owner = null;
    const wake = waiters;
    waiters = [];
    wake.forEach((w) => w());
  };
  const expire = (baton: string) => {
    const entry = byBaton.get(baton);
    if (!entry) return;
    byBaton.delete(baton);
    entry.stream.close();
    release(entry.stream);
  };
  const park = (stream: Stream): string => {
    const baton = randomBytes(24).toString("base64url");
    byBaton.set(baton, { stream, timer: setTimeout(() => expire(baton), idleMs) });
    return baton;
  };

  // Which file a stream's connection is to: the generation counts swaps.
  let generation = 0;
  const fileOf = new WeakMap<Stream, number>();
  const open = (): Stream => {
    const stream = new Stream(options.path);
    fileOf.set(stream, generation);
    return stream;
  };

  async function swap(): Promise<void> {
    const staged = stagedPath(options.path);
    while (owner !== null) await new Promise<void>((r) => waiters.push(r));
    if (!existsSync(staged)) throw new ProtocolError("no restored database is staged");
    owner = SWAP;
    try {
      // Every connection to the old file closes before it goes, so nothing writes to it after.
      for (const baton of [...byBaton.keys()]) {
        clearTimeout(byBaton.get(baton)!.timer);
        expire(baton);
      }
      // The old file's WAL would otherwise be replayed onto the new one.
      for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${options.path}${suffix}`, { force: true });
      renameSync(staged, options.path);
      generation++;
    } finally {
      release(SWAP);
    }
  }

  async function pipeline(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!Array.isArray(body.requests)) throw new ProtocolError("requests must be an array");
    let stream: Stream;
    const fresh = body.baton === null || body.baton === undefined;
    if (fresh) stream = open();
    else {
      const entry = typeof body.baton === "string" ? byBaton.get(body.baton) : undefined;
      if (!entry) throw new ProtocolError("The stream has expired or the baton is invalid");
      clearTimeout(entry.timer);
      byBaton.delete(body.baton as string);
      stream = entry.stream;
    }
    // No await between this check and the end of execution: that is what makes it a lock.
    while (owner !== null && owner !== stream) await new Promise<void>((r) => waiters.push(r));
    // A swap happened while it waited: its connection is to the file that was replaced.
    if (fileOf.get(stream) !== generation) {
      stream.close();
      if (!fresh) throw new ProtocolError("The stream has expired or the baton is invalid");
      stream = open();
    }
    const results = [];
    try {
      for (const req of body.requests as Record<string, unknown>[]) {
        if (stream.closed) results.push({ type: "error", error: { message: "The stream is closed", code: "STREAM_CLOSED" } });
        else results.push(stream.handle(req));
      }
    } catch (err) {
      stream.close();
      release(stream);
      throw err;
    }
    if (!stream.closed && !stream.autocommit) owner = stream;
    else release(stream);
    const baton = stream.closed ? null : park(stream);
    return { baton, base_url: null, results };
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const path = (req.url ?? "/").split("?")[0];
      const refused = refusal(req, options.authToken);
      if (refused) {
        req.resume();
        return send(refused.status, { message: refused.message, code: refused.code });
      }
      if (req.method === "POST" && path === "/_dev/availability" && options.faultControl) {
        available = Boolean((JSON.parse(await readBody(req)) as { up?: boolean }).up);
        return send(200, { up: available });
      }
      if (!available) return send(503, { message: "Unavailable (injected outage)", code: "UNAVAILABLE" });
      if (req.method === "POST" && path === "/_dev/swap") {
        req.resume();
        await swap();
        return send(200, { swapped: true });
      }
      if (req.method === "GET" && (path === "/health" || path === "/v2")) return send(200, { ok: true });
      if (req.method === "POST" && path === "/v2/pipeline") return send(200, await pipeline(JSON.parse(await readBody(req))));
      return send(404, { message: "Not found (this server speaks Hrana over HTTP v2 only)", code: "NOT_FOUND" });
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof SyntaxError) return send(400, { message: err.message, code: "PROTOCOL_ERROR" });
      console.error("libsql dev endpoint: internal error", (err as Error).name);
      return send(500, { message: "Internal error", code: "INTERNAL" });
    }
  });
  await new Promise<void>((r) => server.listen(options.port, options.host ?? "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    authToken: options.authToken,
    server,
    streams: () => byBaton.size,
    swap,
    close: async () => {
      for (const baton of [...byBaton.keys()]) {
        clearTimeout(byBaton.get(baton)!.timer);
        expire(baton);
      }
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ProtocolError("request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
