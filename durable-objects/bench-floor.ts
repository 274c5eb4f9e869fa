// BenchFloorDO: the floor a chat turn is measured against in `npm run bench` — a
// hibernatable WebSocket in a SQLite-backed Durable Object that INSERTs each message and
// echoes it. Nothing else: no validation, no pipeline. Reachable only through a dev-only route.
import { DurableObject } from "cloudflare:workers";

export class BenchFloorDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, created_at INTEGER NOT NULL)");
  }

  override async fetch(): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = typeof data === "string" ? data : "";
    const { seq } = this.ctx.storage.sql.exec<{ seq: number }>("INSERT INTO messages (text, created_at) VALUES (?, ?) RETURNING seq", text, Date.now()).one();
    ws.send(JSON.stringify({ seq, text }));
  }
}
