// Pipeline ports for Node tests: the real retrieval (an eval replica on libSQL), an
// in-memory answer cache (Node has no Cache API), no neighbour and no breakers.
import { AnswerCache, type CachedAnswer } from "../../src/answer/answer-cache.ts";
import type { Generation, PipelinePorts } from "../../src/answer/pipeline.ts";
import type { KbPort } from "../../src/answer/plan.ts";

export function nodePorts(kb: KbPort, generation: Omit<Generation, "budget"> | null = null, budget: boolean | "off" = true): PipelinePorts {
  const cached = new Map<string, CachedAnswer>();
  return {
    kb,
    degraded: { memory: async () => null, sibling: () => Promise.reject(new Error("no sibling shard")), neighbour: (q, o) => kb.retrieve(q, o) },
    cache: new AnswerCache({ match: async (k) => cached.get(k) ?? null, put: async (k, v) => void cached.set(k, v), delete: async (k) => void cached.delete(k) }, () => "node"),
    remember: () => {},
    generation: generation && { ...generation, budget: async () => budget },
    breakers: () => ({}),
    openSince: () => null,
    now: Date.now,
  };
}
