// The Worker's static assets (pages, scripts, vendored libraries) and the bench's floor
// object: the remaining bindings the HTTP app reaches, kept in the seam with the others.

/** A static asset, with mutable headers so that the security middleware can add its own. */
export async function asset(env: Env, request: Request): Promise<Response> {
  const res = await env.ASSETS.fetch(request);
  return new Response(res.body, res);
}

/** Hands a WebSocket upgrade to the bench's floor object of that name (dev only). */
export function benchFloor(env: Env, name: string, request: Request): Promise<Response> {
  return env.BENCH_FLOOR.get(env.BENCH_FLOOR.idFromName(name)).fetch(request);
}
