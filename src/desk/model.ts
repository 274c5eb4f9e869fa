// The agent desk's state, the events that change it and the effects it asks for: one team's
// queue, its agents' presence and load, offline tickets and SLA counters, as plain JSON the
// AgentDeskDO stores whole. It holds who waits for whom and since when, never transcripts.
import type { ErrorCode } from "../errors.ts";
import type { BusinessHours } from "./business-hours.ts";
import type { HandoffFrame } from "./protocol.ts";

export const HANDOFF_REASONS = ["customer_request", "negative_sentiment", "repeated_failures", "no_answer"] as const;
export const PRESENCES = ["online", "away", "offline"] as const;
export const RESOLUTIONS = ["resolved", "not_resolved", "spam"] as const;

/** Why a person was asked for: by the customer, or offered by the bot. */
export type HandoffReason = (typeof HANDOFF_REASONS)[number];
/** `away` keeps the agent's conversations but brings no new ones; `offline` hands them all back. */
export type Presence = (typeof PRESENCES)[number];
export type Resolution = (typeof RESOLUTIONS)[number];
export type UnassignReason = "timeout" | "offline" | "transfer" | "released" | "closed";
export type OfflineReason = "no_agents" | "closed_hours" | "max_wait";
export type SlaKind = "first_response" | "next_response";
export type SlaState = "ok" | "warning" | "breached";

/** Chats an agent takes at once until they say otherwise, and the most they may choose. */
export const DEFAULT_CAPACITY = 3;
export const MAX_CAPACITY = 20;

export interface DeskConfig {
  /** An assigned agent must send a first reply within this, or the conversation goes back to the queue. */
  replyTimeoutMs: number;
  /** Waiting this long in the queue brings an offer to leave a message instead. */
  maxWaitMs: number;
  /** Targets; a running timer is `warning` from `target × warningRatio`, `breached` from the target. */
  sla: { firstResponseMs: number; nextResponseMs: number; warningRatio: number };
  /** null: always open. */
  businessHours: BusinessHours | null;
  /** Open offline tickets the desk keeps; one more is refused (too_many_tickets). */
  maxOpenTickets: number;
  /** Conversations waiting in the queue; one more request for a person is refused (queue_full). */
  maxQueueLength: number;
}

/** The one SLA clock a conversation has running: first response, then each next response. */
export interface SlaTimer {
  kind: SlaKind;
  since: number;
  warned: boolean;
  breached: boolean;
}

/** A conversation the desk holds: waiting in the queue or assigned to an agent. */
export interface DeskConversation {
  conversationId: string;
  reason: HandoffReason;
  language: string;
  region: string;
  /** Where the conversation came from (absent: the web chat); mail is answered by mail. */
  channel?: "email";
  sentiment: { average: number; last: number };
  /** When the customer asked for a person (kept when it returns to the queue): order and first-response SLA. */
  since: number;
  /** Enqueue sequence number: breaks ties between equal `since`. */
  order: number;
  status: "waiting" | "assigned";
  /** When it last entered the queue (null while assigned): waiting time and max wait. */
  waitingSince: number | null;
  agentId: string | null;
  assignedAt: number | null;
  /** The current agent has replied since being assigned (else the reply timeout runs). */
  replied: boolean;
  /** First assignment in this desk: the start of handling time. */
  handledSince: number | null;
  firstResponseAt: number | null;
  sla: SlaTimer | null;
  /** The offline offer made during this stay in the queue: at most one per stay. */
  offered: OfflineReason | null;
  /** The handoff frame the customer was last sent, so only changes are sent. */
  told: HandoffFrame | null;
}

export interface DeskAgent {
  agentId: string;
  name: string;
  /** The presence the agent chose; it counts only while `sockets` > 0 (else offline). */
  chosen: Presence;
  capacity: number;
  /** Agent sockets open to the desk, as the DO counts them. */
  sockets: number;
  /** Assignment sequence number of the agent's latest assignment (0: never), for round robin. */
  lastAssigned: number;
  lastAssignedAt: number | null;
}

/**
 * A message left while no agent could take the conversation: which conversation, in which
 * language, since when. The address and the message stay in the conversation's own object
 * (in its jurisdiction), where agents read them; the desk holds no customer data.
 */
export interface OfflineTicket {
  ticketId: string;
  conversationId: string;
  language: string;
  /** A mail nobody could take (absent: a message left in the chat). */
  channel?: "email";
  createdAt: number;
}

export interface SlaCounters {
  firstResponse: number;
  nextResponse: number;
}

export interface DeskState {
  v: 1;
  team: string;
  conversations: Record<string, DeskConversation>;
  agents: Record<string, DeskAgent>;
  /** Open offline tickets, oldest first. */
  tickets: OfflineTicket[];
  /** Recent handling times in ms (assignment to close, spam excluded), newest last. */
  handlingMs: number[];
  /** Breaches since the desk was created. */
  breaches: SlaCounters;
  counters: { enqueued: number; assigned: number };
}

/** A new, empty desk for a team. */
export function emptyDesk(team: string): DeskState {
  return {
    v: 1,
    team,
    conversations: {},
    agents: {},
    tickets: [],
    handlingMs: [],
    breaches: { firstResponse: 0, nextResponse: 0 },
    counters: { enqueued: 0, assigned: 0 },
  };
}

export interface EnqueueEvent {
  type: "enqueue";
  conversationId: string;
  reason: HandoffReason;
  language: string;
  region: string;
  channel?: "email";
  /** The conversation's sentiment trend (src/answer/sentiment.ts); neutral when absent. */
  sentiment?: { average: number; last: number };
  /** When the customer first asked, if earlier than now (a transfer from another team keeps its place). */
  since?: number;
  /** An agent has already answered (a transfer): no first-response clock. */
  responded?: boolean;
  /** Moved here from another team's desk by an agent: taken even when the queue is full. */
  transfer?: boolean;
}

export type TransferTarget = { agentId: string } | { team: string };

export type DeskEvent =
  | EnqueueEvent
  /** The conversation closed, or the customer no longer wants a person. */
  | { type: "withdraw"; conversationId: string }
  /** An agent socket opened; `sockets` is how many the agent has open now; `capacity` is used for an agent new to the desk. */
  | { type: "connect"; agentId: string; name: string; sockets: number; capacity?: number }
  /** An agent socket closed; `sockets` is how many remain (0: the agent is offline). */
  | { type: "disconnect"; agentId: string; sockets: number }
  | { type: "presence"; agentId: string; status: Presence; capacity?: number }
  | { type: "claim"; agentId: string; conversationId: string }
  | { type: "agent_replied"; agentId: string; conversationId: string }
  | { type: "customer_message"; conversationId: string; sentiment?: { average: number; last: number } }
  | { type: "transfer"; agentId: string; conversationId: string; to: TransferTarget }
  | { type: "release"; agentId: string; conversationId: string }
  | { type: "close"; agentId: string; conversationId: string; resolution: Resolution }
  /** `ticketId` comes from the caller's id source. */
  | { type: "leave_message"; conversationId: string; ticketId: string; language: string; channel?: "email" }
  | { type: "close_ticket"; agentId: string; ticketId: string }
  | { type: "tick" };

export type DeskEffect =
  | { type: "assigned"; agentId: string; conversationId: string }
  | { type: "unassigned"; agentId: string; conversationId: string; reason: UnassignReason }
  /** What agents see changed: send every agent a fresh `queue` frame. */
  | { type: "queue_changed" }
  | { type: "tickets_changed" }
  /** Send this frame to the conversation's customer. */
  | { type: "handoff"; conversationId: string; frame: HandoffFrame }
  /** Offer the customer to leave a message with an email address. */
  | { type: "offer_offline"; conversationId: string; reason: OfflineReason }
  | { type: "sla_breach"; conversationId: string; kind: SlaKind; agentId: string | null }
  /** Apply `enqueue` to the desk of `team`: the conversation has left this one. */
  | { type: "left_team"; conversationId: string; team: string; enqueue: EnqueueEvent }
  /** An agent's presence and capacity now: after a connect (always), a presence frame, the last socket closing, or a reply timeout (the desk set them away). Echo it to the agent's sockets. */
  | { type: "presence"; agentId: string; status: Presence; capacity: number; cause: "agent" | "connection" | "reply_timeout" };

/** The codes a desk event can be refused with (state unchanged, no effects); all in the ERRORS catalogue. */
export const DESK_ERRORS = [
  "agent_not_found",
  "agent_unavailable",
  "agent_at_capacity",
  "conversation_not_found",
  "conversation_not_waiting",
  "conversation_not_assigned",
  "conversation_assigned",
  "transfer_invalid",
  "ticket_not_found",
  "too_many_tickets",
  "queue_full",
] as const satisfies readonly ErrorCode[];

export type DeskErrorCode = (typeof DESK_ERRORS)[number];

export interface DeskOutcome {
  state: DeskState;
  effects: DeskEffect[];
  /** Set when the event was refused: answer the agent with an `error` frame of this code. */
  error?: DeskErrorCode;
}

/** An agent's effective presence: what they chose, while a socket is open. */
export function presenceOf(agent: DeskAgent): Presence {
  return agent.sockets > 0 ? agent.chosen : "offline";
}

/** The conversations assigned to an agent, oldest request first. */
export function activeConversations(state: DeskState, agentId: string): string[] {
  return Object.values(state.conversations)
    .filter((c) => c.status === "assigned" && c.agentId === agentId)
    .sort(byRequest)
    .map((c) => c.conversationId);
}

/** How many conversations an agent has now (the count that capacity limits). */
export function loadOf(state: DeskState, agentId: string): number {
  let n = 0;
  for (const c of Object.values(state.conversations)) if (c.status === "assigned" && c.agentId === agentId) n++;
  return n;
}

/** The waiting conversations in queue order: longest waiting (earliest request) first. */
export function waitingInOrder(state: DeskState): DeskConversation[] {
  return Object.values(state.conversations)
    .filter((c) => c.status === "waiting")
    .sort(byRequest);
}

function byRequest(a: DeskConversation, b: DeskConversation): number {
  return a.since - b.since || a.order - b.order;
}
