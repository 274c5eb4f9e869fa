// What the queue looks like from outside: a customer's position and estimated wait, the
// handoff frame they should be showing, and the live list agents work from.
import { presenceOf, waitingInOrder, type DeskConfig, type DeskState, type HandoffReason, type Presence, type SlaKind, type SlaState } from "./model.ts";
import type { AgentServerFrame, HandoffFrame } from "./protocol.ts";
import { slaDueAt, slaStateOf } from "./sla.ts";

/** Assumed handling time until the desk has closed a conversation of its own. */
export const DEFAULT_HANDLING_MS = 5 * 60_000;
/** Handling times kept for the estimate. */
export const HANDLING_SAMPLES = 20;
/** Estimates are rounded up to this many seconds, so the customer's frame does not flicker. */
export const ETA_STEP_SECONDS = 10;

/** One row of the live queue agents see. */
export interface QueueItem {
  conversationId: string;
  reason: HandoffReason;
  language: string;
  region: string;
  /** "email" for a mail (absent: the web chat). */
  channel?: "email";
  status: "waiting" | "assigned";
  /** 1-based place in the queue while waiting. */
  position: number | null;
  agent: { agentId: string; name: string } | null;
  /** Seconds since it last joined the queue, while waiting. */
  waitingSeconds: number | null;
  /** The conversation's sentiment average in [-1, 1], and where its latest message moved it. */
  sentiment: number;
  trend: "improving" | "steady" | "worsening";
  sla: SlaState;
  slaKind: SlaKind | null;
  /** Seconds until the running SLA target is missed (negative once it is), null when none runs. */
  slaDueSeconds: number | null;
}

/** A team member as the console lists them (for transfers and the team's load). */
export interface AgentView {
  agentId: string;
  name: string;
  presence: Presence;
  capacity: number;
  active: number;
}

/** A waiting conversation's 1-based queue position, or null when it is not waiting. */
export function positionOf(state: DeskState, conversationId: string): number | null {
  const index = waitingInOrder(state).findIndex((c) => c.conversationId === conversationId);
  return index < 0 ? null : index + 1;
}

/** The median of recent handling times (robust to the odd very long chat), or the default. */
export function expectedHandlingMs(state: DeskState): number {
  const sorted = [...state.handlingMs].sort((a, b) => a - b);
  if (sorted.length === 0) return DEFAULT_HANDLING_MS;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Appends a handling time, keeping the newest HANDLING_SAMPLES. */
export function withHandlingSample(samples: number[], ms: number): number[] {
  return [...samples, Math.max(0, ms)].slice(-HANDLING_SAMPLES);
}

/**
 * Estimated seconds until a waiting conversation is taken: every online chat slot frees up
 * once per handling time, so position p waits about p × handling / slots. Null when it is
 * not waiting or no agent is online (no honest estimate exists).
 */
export function etaSeconds(state: DeskState, conversationId: string): number | null {
  const position = positionOf(state, conversationId);
  return position === null ? null : estimate(position, onlineSlots(state), expectedHandlingMs(state));
}

/** The handoff frame a conversation's customer should be showing, or null when the desk does not hold it. */
export function handoffFrameOf(state: DeskState, conversationId: string): HandoffFrame | null {
  return state.conversations[conversationId] ? (handoffFrames(state).get(conversationId) ?? null) : null;
}

/** Every held conversation's handoff frame, computed in one pass over the queue. */
export function handoffFrames(state: DeskState): Map<string, HandoffFrame> {
  const frames = new Map<string, HandoffFrame>();
  const slots = onlineSlots(state);
  const handling = expectedHandlingMs(state);
  waitingInOrder(state).forEach((c, i) => {
    const eta = estimate(i + 1, slots, handling);
    // An offer to leave a message stands for the rest of this wait; the place in the queue is kept.
    const frame: HandoffFrame = c.offered === null ? { type: "handoff", state: "queued", position: i + 1 } : { type: "handoff", state: "offline", reason: c.offered, position: i + 1 };
    if (eta !== null) frame.etaSeconds = eta;
    frames.set(c.conversationId, frame);
  });
  for (const c of Object.values(state.conversations)) {
    if (c.status !== "assigned") continue;
    const agent = c.agentId === null ? undefined : state.agents[c.agentId];
    frames.set(c.conversationId, agent ? { type: "handoff", state: "assigned", agent: { name: agent.name } } : { type: "handoff", state: "assigned" });
  }
  return frames;
}

function onlineSlots(state: DeskState): number {
  let slots = 0;
  for (const agent of Object.values(state.agents)) if (presenceOf(agent) === "online") slots += agent.capacity;
  return slots;
}

function estimate(position: number, slots: number, handlingMs: number): number | null {
  if (slots === 0) return null;
  const raw = (position * handlingMs) / slots / 1000;
  return Math.max(ETA_STEP_SECONDS, Math.ceil(raw / ETA_STEP_SECONDS) * ETA_STEP_SECONDS);
}

/** The live queue: waiting conversations in queue order, then assigned ones by request time. */
export function queueItems(state: DeskState, now: number, config: DeskConfig): QueueItem[] {
  const waiting = waitingInOrder(state);
  const assigned = Object.values(state.conversations)
    .filter((c) => c.status === "assigned")
    .sort((a, b) => a.since - b.since || a.order - b.order);
  return [...waiting, ...assigned].map((c): QueueItem => {
    const agent = c.agentId === null ? undefined : state.agents[c.agentId];
    const due = slaDueAt(c.sla, config);
    const drift = c.sentiment.last - c.sentiment.average;
    return {
      conversationId: c.conversationId,
      reason: c.reason,
      language: c.language,
      region: c.region,
      ...(c.channel && { channel: c.channel }),
      status: c.status,
      position: c.status === "waiting" ? waiting.indexOf(c) + 1 : null,
      agent: agent ? { agentId: agent.agentId, name: agent.name } : null,
      waitingSeconds: c.waitingSince === null ? null : Math.max(0, Math.floor((now - c.waitingSince) / 1000)),
      sentiment: c.sentiment.average,
      trend: drift > 0.1 ? "improving" : drift < -0.1 ? "worsening" : "steady",
      sla: slaStateOf(c.sla, now, config),
      slaKind: c.sla?.kind ?? null,
      slaDueSeconds: due === null ? null : Math.floor((due - now) / 1000),
    };
  });
}

/** The team's agents, by name. */
export function agentViews(state: DeskState): AgentView[] {
  const active = new Map<string, number>();
  for (const c of Object.values(state.conversations)) if (c.status === "assigned" && c.agentId) active.set(c.agentId, (active.get(c.agentId) ?? 0) + 1);
  return Object.values(state.agents)
    .map((a) => ({ agentId: a.agentId, name: a.name, presence: presenceOf(a), capacity: a.capacity, active: active.get(a.agentId) ?? 0 }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId));
}

/** The `queue` frame every agent of the team is sent when the effects say `queue_changed`. */
export function queueFrame(state: DeskState, now: number, config: DeskConfig): Extract<AgentServerFrame, { type: "queue" }> {
  return { type: "queue", items: queueItems(state, now, config), agents: agentViews(state), breaches: { ...state.breaches } };
}
