import { describe, expect, it } from "vitest";
import { BreakerOpenError, CircuitBreaker, TimeoutError } from "../../src/resilience/breaker.ts";
import { faultNames, parseFaults } from "../../src/resilience/faults.ts";

describe("circuit breaker (fake clock)", () => {
  let now = 0;
  const breaker = () => new CircuitBreaker("replica:weur", { failures: 3, coolDownMs: 10_000 }, () => now);
  const fail = () => Promise.reject(new Error("down"));
  const succeed = () => Promise.resolve("ok");

  it("opens after consecutive failures and then fails fast without calling", async () => {
    now = 0;
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.run(fail)).rejects.toThrow("down");
    expect(b.state).toBe("open");
    let called = false;
    await expect(b.run(async () => void (called = true))).rejects.toBeInstanceOf(BreakerOpenError);
    expect(called).toBe(false);
  });

  it("lets one probe through after the cool-down, closing on success", async () => {
    now = 0;
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.run(fail).catch(() => {});
    now = 10_000;
    expect(b.state).toBe("half_open");
    expect(await b.run(succeed)).toBe("ok");
    expect(b.state).toBe("closed");
  });

  it("reopens when the probe fails", async () => {
    now = 0;
    const b = breaker();
    for (let i = 0; i < 3; i++) await b.run(fail).catch(() => {});
    now = 10_000;
    await b.run(fail).catch(() => {});
    expect(b.state).toBe("open");
    expect(b.since).toBe(10_000);
  });

  it("counts a timeout as a failure, and a success resets the count", async () => {
    now = 0;
    const b = breaker();
    await expect(b.run(() => new Promise(() => {}), 10)).rejects.toBeInstanceOf(TimeoutError);
    await b.run(fail).catch(() => {});
    await b.run(succeed);
    await b.run(fail).catch(() => {});
    expect(b.state).toBe("closed");
  });
});

describe("fault names", () => {
  it("parses every documented fault and reads them back", () => {
    const faults = parseFaults(["llm-down", "llm-slow", "primary-down", "replica-down", "region-over-budget", "latency=250"])!;
    expect(faultNames(faults)).toEqual(["llm-down", "llm-slow", "primary-down", "replica-down", "region-over-budget", "latency=250"]);
  });

  it("rejects an unknown fault", () => {
    expect(parseFaults(["disk-full"])).toBeNull();
    expect(parseFaults(["latency=fast"])).toBeNull();
  });
});
