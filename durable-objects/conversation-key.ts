// A conversation's part in master key rotation: it keeps the key registry (src/privacy/
// key-rewrap.ts) told which kid wraps its data key — when the key is made, after a load
// that rewrapped it, on each alarm until a failed write went through — and rewraps on request.
import { keyRegistryOf } from "../src/platform/key-registry.ts";
import type { Keyring } from "../src/privacy/envelope.ts";
import type { RewrapAnswer } from "../src/privacy/key-rewrap.ts";
import type { ConversationStore } from "./conversation-store.ts";

/** A key registry call failed: logged by code (the conversation registers again on its next load or alarm). */
function logRegistryFailure(err: unknown): false {
  console.warn(JSON.stringify({ level: "warn", code: "key_registry_unavailable", kind: err instanceof Error ? err.name : typeof err }));
  return false;
}

export class ConversationKey {
  private readonly env: Env;
  private readonly store: ConversationStore;
  private readonly keyring: Keyring | null;

  constructor(env: Env, store: ConversationStore, keyring: Keyring | null) {
    this.env = env;
    this.store = store;
    this.keyring = keyring;
  }

  /**
   * Creates the conversation's record and data key; the registry hears of the key while it
   * is made, so a rewrap pass can find it. A registry that cannot be reached does not stop
   * the conversation: it is told on the next load or alarm.
   */
  async create(id: string, ring: Keyring, at: number, create: () => Promise<void>): Promise<void> {
    const registered = keyRegistryOf(this.env, id)
      .record(id, ring.current, at)
      .then(() => true, logRegistryFailure);
    await create();
    if (await registered) this.store.markRegistered(ring.current);
  }

  /** Tells the registry which kid wraps the data key, unless it already knows; the key state after (null: no key). */
  async register(): Promise<{ kid: string } | null> {
    const state = this.store.keyState();
    if (!state || state.kid === state.registeredKid) return state;
    await keyRegistryOf(this.env, state.id).record(state.id, state.kid, Date.now());
    this.store.markRegistered(state.kid);
    return state;
  }

  /** register(), for callers that go on whatever happens (a load, an alarm). */
  registerQuietly(): Promise<void> {
    return this.register().then(
      () => undefined,
      (err: unknown) => void logRegistryFailure(err),
    );
  }

  /**
   * Moves the data key under the current master key (usually done already, when the object
   * loaded) and tells the registry; `missing` when there is no key (erased). Throws when the
   * key cannot be unwrapped (its kid is no longer in DATA_ENCRYPTION_KEY).
   */
  async rewrap(): Promise<RewrapAnswer> {
    if (!this.keyring) throw new Error("DATA_ENCRYPTION_KEY is missing or malformed");
    if (!this.store.keyState()) return { status: "missing" };
    await this.store.rewrapKey(this.keyring);
    const state = await this.register();
    return state ? { status: "rewrapped", kid: state.kid } : { status: "missing" };
  }

  /** The key was destroyed (erasure): its registry entry goes too (or the next rewrap pass drops it). */
  async forget(id: string): Promise<void> {
    await keyRegistryOf(this.env, id).forget(id).catch(logRegistryFailure);
  }
}
