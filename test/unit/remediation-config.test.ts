// AUTO_REMEDIATION (on, off, dry-run; per region with a default) and RUNBOOK_BASE_URL.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";

describe("AUTO_REMEDIATION", () => {
  it.each<[string | undefined, Record<string, string>]>([
    [undefined, { weur: "on", sam: "on" }],
    ["off", { weur: "off", sam: "off" }],
    ["dry-run", { weur: "dry-run", sam: "dry-run" }],
    ["sam=dry-run,enam=off,*=on", { weur: "on", sam: "dry-run", enam: "off" }],
    ["weur=off", { weur: "off", sam: "on" }],
    ["*=off, weur=on", { weur: "on", sam: "off" }],
    ["sam=maybe,*=off", { weur: "off", sam: "off" }],
  ])("%s", (raw, modes) => {
    const mode = readConfig(raw === undefined ? {} : { AUTO_REMEDIATION: raw }).ops.autoRemediation;
    for (const [region, expected] of Object.entries(modes)) expect([region, mode(region as never)]).toEqual([region, expected]);
  });
});

describe("RUNBOOK_BASE_URL", () => {
  it.each([
    [undefined, ""],
    ["https://github.com/acme/holdfast/blob/main/", "https://github.com/acme/holdfast/blob/main/"],
    ["javascript:alert(1)", ""],
    ["not a url", ""],
  ])("%s reads as %j", (raw, url) => {
    expect(readConfig(raw === undefined ? {} : { RUNBOOK_BASE_URL: raw }).ops.runbookBaseUrl).toBe(url);
  });
});
