// A conversation's cipher: its own AES-256-GCM data key (wrapped by the master keyring and
// stored beside the data), sealing every piece of customer text with associated data that
// names where it belongs, so a sealed value cannot be moved to another row or conversation.
import { createDataKey, open, seal, unwrapDataKey, type DataKey, type Keyring } from "./envelope.ts";

export class Cipher {
  private readonly key: DataKey;
  private readonly context: string;

  private constructor(key: DataKey, context: string) {
    this.key = key;
    this.context = context;
  }

  /** A new data key for `context` (the conversation id), and its wrapped form to store. */
  static async create(ring: Keyring, context: string): Promise<{ cipher: Cipher; wrapped: string }> {
    const { key, wrapped } = await createDataKey(ring, context);
    return { cipher: new Cipher(key, context), wrapped };
  }

  /** The cipher of a stored wrapped key; throws EnvelopeError when it cannot be unwrapped. */
  static async unwrap(ring: Keyring, wrapped: string, context: string): Promise<Cipher> {
    return new Cipher(await unwrapDataKey(ring, wrapped, context), context);
  }

  /** Seals `text` for the place `where` names (e.g. `message:12`). */
  seal(text: string, where: string): Promise<string> {
    return seal(this.key, text, `${this.context}|${where}`);
  }

  open(sealed: string, where: string): Promise<string> {
    return open(this.key, sealed, `${this.context}|${where}`);
  }
}
