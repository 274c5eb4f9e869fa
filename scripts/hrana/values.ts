// Hrana JSON values <-> values the libsql engine binds and returns.
import { Buffer } from "node:buffer";

export type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

export type SqlValue = null | bigint | number | string | Buffer;

export class ProtocolError extends Error {}

/** A value from a request, ready to bind. */
export function toSql(v: unknown): SqlValue {
  const value = v as Partial<Record<string, unknown>> | null;
  switch (value?.type) {
    case "null":
      return null;
    case "integer":
      if (typeof value.value !== "string" || !/^-?\d+$/.test(value.value)) throw new ProtocolError("integer value must be a decimal string");
      return BigInt(value.value);
    case "float":
      if (typeof value.value !== "number") throw new ProtocolError("float value must be a number");
      return value.value;
    case "text":
      if (typeof value.value !== "string") throw new ProtocolError("text value must be a string");
      return value.value;
    case "blob":
      if (typeof value.base64 !== "string") throw new ProtocolError("blob value must carry base64");
      return Buffer.from(value.base64, "base64");
    default:
      throw new ProtocolError("unknown value type");
  }
}

/** A value the engine returned (with safe integers on), for a response. */
export function fromSql(v: unknown): HranaValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof Uint8Array) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  if (v instanceof ArrayBuffer) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  return { type: "text", value: String(v) };
}
