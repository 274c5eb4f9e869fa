// Where learning votes go: the KB primary (redacted words and keyed digests, over the same
// @libsql/client/web path as every other primary call), or, for EU conversations, the
// LearnedEuDO in the `eu` jurisdiction, where their words wait for an editor. Both throw
// when they cannot be reached: the caller keeps the vote.
import type { LearnedEuDO } from "../../durable-objects/learned-eu.ts";
import type { Config } from "../config.ts";
import { eraseLearned, recordVote, type RecordOutcome, type VoteInput } from "../kb/learning/questions.ts";
import { configuredPrimary } from "./primary.ts";

export interface LearningSink {
  record(vote: VoteInput, eu: boolean): Promise<RecordOutcome>;
  /** Erases what conversations or a verified customer taught, in the primary and in the EU. */
  erase(by: { conversations?: string[]; subject?: string }): Promise<{ questions: number; votes: number }>;
}

/** The one LearnedEuDO (in the `eu` jurisdiction where the runtime has jurisdictions). */
export function learnedEu(env: Env, config: Pick<Config, "jurisdictions">): DurableObjectStub<LearnedEuDO> {
  const ns = (config.jurisdictions ? env.LEARNED_EU.jurisdiction("eu") : env.LEARNED_EU) as DurableObjectNamespace<LearnedEuDO>;
  return ns.get(ns.idFromName("eu"));
}

export function learningSink(env: Env, config: Config): LearningSink {
  return {
    record: async (vote, eu) => (eu ? (learnedEu(env, config).record(vote) as Promise<RecordOutcome>) : recordVote(configuredPrimary(config), vote, config.learn, Date.now())),
    erase: async (by) => {
      const [primary, eu] = await Promise.all([eraseLearned(configuredPrimary(config), by, config.learn, Date.now()), learnedEu(env, config).erase(by)]);
      return { questions: primary.questions + eu.questions, votes: primary.votes + eu.votes };
    },
  };
}
