import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";

describe("security headers and CORS", () => {
  it("lets only the configured origins frame the chat page", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self' https://shop.example");
    expect(csp).toContain("script-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBeNull();
  });

  it("serves the widget script so that other sites may load it", async () => {
    const res = await call("/widget.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
  });

  it("answers CORS preflights from allowed origins only", async () => {
    const preflight = (origin: string) =>
      call("/v1/conversations", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" } });
    const allowed = await preflight("https://shop.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const denied = await preflight("https://evil.example");
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("documents every route in the OpenAPI document", async () => {
    const spec = await (await call("/openapi.json")).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/v1/conversations", "/v1/conversations/{id}/messages", "/v1/conversations/{id}/ws", "/v1/conversations/{id}", "/healthz"]),
    );
  });
});
