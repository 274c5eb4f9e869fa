// Constants of the conversation WebSocket protocol, shared by the Worker, the Durable
// Object and tests.

/** The subprotocol the server echoes; the token entry offered beside it is never echoed. */
export const SUBPROTOCOL = "holdfast.v1";
/** Browsers offer their token as the subprotocol `holdfast.auth.<token>`. */
export const AUTH_PROTOCOL_PREFIX = "holdfast.auth.";
/** Heartbeat frames, answered by the runtime without waking the Durable Object. */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';
