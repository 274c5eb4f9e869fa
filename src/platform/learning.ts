// The KB primary as learning signals reach it: a conversation's votes (redacted words and
// keyed digests) and erasures, over the same @libsql/client/web path as every other
// primary call. Throws when the primary cannot be reached: the caller keeps the signal.
import type { Config } from "../config.ts";
import { eraseLearned, recordVote, type RecordOutcome, type VoteInput } from "../kb/learning/questions.ts";
import { configuredPrimary } from "./primary.ts";

export interface LearningPrimary {
  record(vote: VoteInput): Promise<RecordOutcome>;
  erase(by: { conversations?: string[]; subject?: string }): Promise<{ questions: number; votes: number }>;
}

export function learningPrimary(config: Config): LearningPrimary {
  return {
    record: (vote) => recordVote(configuredPrimary(config), vote, config.learn, Date.now()),
    erase: (by) => eraseLearned(configuredPrimary(config), by, config.learn, Date.now()),
  };
}
