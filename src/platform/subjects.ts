// The subject index's Durable Objects: one per verified customer, by subject key.
import type { SubjectIndexDO } from "../../durable-objects/subject-index.ts";

export function subjectIndex(env: Env, subject: string): DurableObjectStub<SubjectIndexDO> {
  return env.SUBJECTS.get(env.SUBJECTS.idFromName(subject));
}
