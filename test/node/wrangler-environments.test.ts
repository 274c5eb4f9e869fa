// The deployment environments of wrangler.toml, read by wrangler itself: Wrangler inherits
// no vars, secrets or bindings into an [env.X] block, so each must repeat every one of the
// top level's (a binding left out is `undefined` in production only), and the top level
// must stay startable offline (no Workers AI binding).
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";

const read = (env?: string) => unstable_readConfig({ config: "wrangler.toml", env }, { hideWarnings: true });
const top = read();

/** Vars whose value an environment sets on purpose (the rest must equal the top level's). */
const OWN_VALUES = new Set(["LIBSQL_URL"]);

/** Other binding kinds an environment does not inherit (compared by binding name). */
const OTHER_BINDINGS = ["send_email", "services", "kv_namespaces", "r2_buckets", "d1_databases", "hyperdrive", "workflows", "vectorize"] as const;
const names = (list: unknown) => (Array.isArray(list) ? list.map((b: { name?: string; binding?: string }) => b.name ?? b.binding).sort() : []);
const objects = (c: typeof top) => c.durable_objects.bindings.map((b: { name: string; class_name: string }) => `${b.name}=${b.class_name}`).sort();

describe("wrangler.toml", () => {
  it("keeps the development configuration offline: no Workers AI binding at the top level", () => {
    expect(top.ai).toBeUndefined();
    expect(top.version_metadata?.binding).toBe("CF_VERSION_METADATA");
  });

  describe.each(["staging", "production"])("[env.%s]", (name) => {
    const env = read(name);

    it("deploys as its own Worker with the top level's migrations, assets and rules", () => {
      expect(env.name).toBe(`holdfast-${name}`);
      expect(env.migrations).toEqual(top.migrations);
      expect(env.assets).toEqual(top.assets);
      expect(env.rules).toEqual(top.rules);
      expect(env.keep_names).toBe(false);
    });

    it("repeats every Durable Object binding, every other binding, the events dataset, the version metadata and the required secrets", () => {
      expect(objects(env)).toEqual(objects(top));
      for (const kind of OTHER_BINDINGS) expect(names(env[kind]), kind).toEqual(names(top[kind]));
      expect(env.analytics_engine_datasets.map((d: { binding: string }) => d.binding)).toEqual(["EVENTS"]);
      expect(env.version_metadata?.binding).toBe("CF_VERSION_METADATA");
      expect(env.secrets?.required).toEqual(top.secrets?.required);
      expect(env.ai?.binding).toBe("AI");
    });

    it("declares every top-level var, with the top level's value unless it is its own", () => {
      expect(Object.keys(env.vars).sort()).toEqual(Object.keys(top.vars).sort());
      const differing = Object.keys(top.vars).filter((k) => env.vars[k] !== top.vars[k]);
      expect(differing.filter((k) => !OWN_VALUES.has(k))).toEqual([]);
      expect(env.vars.HOLDFAST_DEV).toBe("0");
      expect(env.vars.JURISDICTIONS).toBe("on");
    });
  });

  it("writes staging's events to a dataset of its own", () => {
    expect(read("staging").analytics_engine_datasets[0]?.dataset).not.toBe(read("production").analytics_engine_datasets[0]?.dataset);
  });
});
