// Durable Object RPC calls as data, for the compatibility check between releases (docs/releases.md):
// a list of calls (binding, object, method, arguments) run in order against a Worker's
// objects, and the shape of each answer. Self-contained (it imports nothing of the project)
// because scripts/rpc-fixtures.ts copies it into an older release's tree to run there.
//
// Arguments may hold placeholders, each the whole string:
//   "${id:c1}"                 the hex id of object c1 (a conversation id, for conversations)
//   "${answer:c1.send#value.reply.seq}"   a value from an earlier call's answer (call name # path)
//   "${now}", "${now-60000}"   Date.now() (plus or minus ms) when the call is made
//
// A call of `fetch` sends a request to the object (args: url, init), as the Worker forwards a
// WebSocket upgrade; its answer is `{ status, webSocket }` and an accepted socket stays open
// (drained) until `close()`.

/** One call: `object` names an object of `binding` (by name, or a new unique id when `unique`). */
export interface RpcCall {
  name: string;
  binding: string;
  object: string;
  unique?: boolean;
  method: string;
  args: unknown[];
}

/**
 * The shape of an answer: "string" | "number" | "boolean" | "null" | "undefined"; a literal
 * ("=" + JSON) for the keys older code branches on (ok, code, type, kind); an array of the
 * distinct element shapes; an object of shapes; `{ "$record": [...] }`, the distinct value
 * shapes, for an object keyed by data rather than by field names (label keys, counter and
 * breaker names: any key that is not an identifier); `{ "$stream": [...] }` for a stream of
 * newline-separated JSON.
 */
export type Shape = string | Shape[] | { [key: string]: Shape };

export interface CapturedCall extends RpcCall {
  answer: Shape;
}

const LITERAL_KEYS = new Set(["ok", "code", "type", "kind"]);
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

type Namespace = { idFromName(name: string): DurableObjectId; newUniqueId(): DurableObjectId; get(id: DurableObjectId): Record<string, (...args: unknown[]) => Promise<unknown>> };

/** Runs calls in order; `seen` gets each call's raw answer (streams read to their lines). */
export class CallRunner {
  private readonly env: Record<string, unknown>;
  private readonly ids = new Map<string, DurableObjectId>();
  private readonly answers = new Map<string, unknown>();
  private readonly sockets: WebSocket[] = [];

  constructor(env: object) {
    this.env = env as Record<string, unknown>;
  }

  /** Makes a call; its answer (a stream read to its JSON lines) is kept for later placeholders. */
  async call(c: RpcCall): Promise<unknown> {
    const ns = this.env[c.binding] as Namespace | undefined;
    if (!ns) throw new Error(`no binding ${c.binding}`);
    const id = this.idOf(c.binding, c.object, c.unique === true);
    const stub = ns.get(id);
    const args = this.fill(c.args) as unknown[];
    // Called on the stub itself: an RPC stub answers any property, `apply` and `call` included.
    const answer = c.method === "fetch" ? await this.upgrade(await stub.fetch!(...args)) : await readStreams(await stub[c.method]!(...args));
    this.answers.set(c.name, answer);
    return answer;
  }

  /** Closes the sockets `fetch` calls opened. */
  close(): void {
    for (const ws of this.sockets.splice(0)) {
      try {
        ws.close(1000, "done");
      } catch {
        // Already closed by the object.
      }
    }
  }

  private async upgrade(res: unknown): Promise<{ status: number; webSocket: boolean }> {
    const response = res as Response & { webSocket?: WebSocket | null };
    if (response.webSocket) {
      response.webSocket.accept();
      response.webSocket.addEventListener("message", () => {});
      this.sockets.push(response.webSocket);
    } else await response.body?.cancel();
    return { status: response.status, webSocket: Boolean(response.webSocket) };
  }

  private idOf(binding: string, object: string, unique: boolean): DurableObjectId {
    const key = `${binding}/${object}`;
    let id = this.ids.get(key);
    if (!id) {
      const ns = this.env[binding] as Namespace;
      id = unique ? ns.newUniqueId() : ns.idFromName(object);
      this.ids.set(key, id);
    }
    return id;
  }

  private fill(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.fill(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.fill(v)]));
    if (typeof value !== "string") return value;
    const m = /^\$\{(id|answer|now)(?::([^}]+))?([+-]\d+)?\}$/.exec(value);
    if (!m) return value;
    if (m[1] === "now") return Date.now() + Number(m[3] ?? 0);
    if (m[1] === "id") {
      const found = [...this.ids].find(([key]) => key.endsWith(`/${m[2]}`));
      if (!found) throw new Error(`no object ${m[2]} yet`);
      return found[1].toString();
    }
    const [call = "", path = ""] = m[2]!.split("#");
    if (!this.answers.has(call)) throw new Error(`no answer of ${call} yet`);
    const found = path.split(".").filter(Boolean).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], this.answers.get(call));
    if (found === undefined) throw new Error(`the answer of ${call} has no ${path}`);
    return found;
  }
}

/** A stream answer read to its JSON lines; anything else as it is. */
async function readStreams(answer: unknown): Promise<unknown> {
  if (answer instanceof ReadableStream) {
    const text = await new Response(answer).text();
    return { $stream: text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown) };
  }
  if (answer && typeof answer === "object" && !Array.isArray(answer)) {
    const entries = await Promise.all(Object.entries(answer).map(async ([k, v]) => [k, await readStreams(v)] as const));
    return Object.fromEntries(entries);
  }
  return answer;
}

/** The shape of an answer (see Shape). Keys whose value is undefined are left out, as JSON would. */
export function shapeOf(value: unknown, key = ""): Shape {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) {
    const distinct = new Map<string, Shape>();
    for (const v of value) {
      const s = shapeOf(v);
      distinct.set(JSON.stringify(s), s);
    }
    return [...distinct.values()];
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.some(([k]) => !FIELD_NAME.test(k))) return { $record: shapeOf(entries.map(([, v]) => v)) };
    const out: Record<string, Shape> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (v !== undefined) out[k] = shapeOf(v, k);
    return out;
  }
  if (LITERAL_KEYS.has(key) && (typeof value === "string" || typeof value === "boolean")) return `=${JSON.stringify(value)}`;
  return typeof value;
}

/**
 * Where a current answer's shape no longer gives what code of the previous release read from
 * the previous answer's shape: a field gone, a type changed, a literal changed, a list that
 * came back empty or with an element the old code would not know. [] when compatible; new
 * fields and new element shapes beside the old ones are allowed (additive change).
 */
export function incompatibilities(before: Shape, now: Shape, path = "answer"): string[] {
  if (before === "null" || before === "undefined") return [];
  if (typeof before === "string") {
    if (now === before) return [];
    // A field that was a plain value may now be a literal of the same type (or the reverse).
    const type = (s: Shape) => (typeof s === "string" && s.startsWith("=") ? typeof JSON.parse(s.slice(1)) : s);
    if (!before.startsWith("=") && typeof now === "string" && type(now) === before) return [];
    return [`${path}: was ${before}, now ${JSON.stringify(now)}`];
  }
  if (Array.isArray(before)) {
    if (!Array.isArray(now)) return [`${path}: was a list, now ${JSON.stringify(now).slice(0, 80)}`];
    return elements(before, now, path);
  }
  if (typeof now !== "object" || now === null || Array.isArray(now)) return [`${path}: was an object, now ${JSON.stringify(now).slice(0, 80)}`];
  if (Array.isArray(before.$record)) {
    // A record may come back as an object of field-like keys (or none): its values count.
    const values = Array.isArray(now.$record) ? now.$record : Object.values(now);
    return elements(before.$record, values, `${path}{}`);
  }
  return Object.entries(before).flatMap(([k, b]) => (k in now ? incompatibilities(b, now[k]!, `${path}.${k}`) : b === "null" || b === "undefined" ? [] : [`${path}.${k}: gone`]));
}

/** Each element shape of before must be met by one of now's; a list that had elements must still have some. */
function elements(before: Shape[], now: Shape[], path: string): string[] {
  if (before.length > 0 && now.length === 0) return [`${path}: had elements, now none`];
  return before.flatMap((b, i) => (now.some((n) => incompatibilities(b, n).length === 0) ? [] : [`${path}[${i}]: no element has the shape it had (${incompatibilities(b, now[0]!, `${path}[]`).join("; ")})`]));
}
