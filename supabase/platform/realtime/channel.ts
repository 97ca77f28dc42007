// A socket (Conn) and the channels joined on it (Chan), and how frames reach them.
import { encodeFrame, type Msg, type Vsn } from "./frames.ts";
import type { Meta } from "./presence.ts";

export interface Conn {
  ws: WebSocket;
  vsn: Vsn;
  apikey: string;
  headers: Record<string, string>;
  channels: Map<string, Chan>; // by full topic ("realtime:...")
  queue: Promise<void>;
}

export interface Chan {
  conn: Conn;
  topic: string;
  sub: string;
  key: string; // registry key: privacy + sub-topic (private and public channels never mix)
  private: boolean;
  joinRef: string | null;
  token: string;
  claims: Record<string, unknown>;
  self: boolean;
  ack: boolean;
  presenceEnabled: boolean;
  presenceKey: string;
  read: { broadcast?: boolean; presence?: boolean };
  write: { broadcast?: boolean; presence?: boolean };
  tracked?: { meta: Meta; payload: string };
  expiry?: ReturnType<typeof setTimeout>; // closes the channel when its token's `exp` passes
}

export function send(conn: Conn, msg: Msg) {
  if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(encodeFrame(msg, conn.vsn));
}

export function reply(conn: Conn, msg: Msg, status: "ok" | "error", response: Record<string, unknown> = {}) {
  send(conn, { join_ref: msg.join_ref, ref: msg.ref, topic: msg.topic, event: "phx_reply", payload: { status, response } });
}

/** A server push on the channel's topic. */
export function push(chan: Chan, event: string, payload: unknown) {
  send(chan.conn, { join_ref: chan.joinRef, ref: null, topic: chan.topic, event, payload });
}
