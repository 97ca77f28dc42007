// supabase-js clients for end-to-end tests over the local gateway (/rest/v1, /realtime/v1): user
// tokens signed like `session` signs them, bounded waits, and a cleanup that closes every client.
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { anonKey, apiUrl, jwtSecret } from "./env.ts";
import type {
  RealtimeEventName, RealtimePayload, TopicFamily,
} from "../supabase/functions/_shared/contract.types.ts";

export const WAIT_MS = 8_000;
const clients: SupabaseClient[] = [];

/** An access token for a user (one hour unless told), as the `session` function would sign it. */
export async function token(sub: string, expiresIn: string | number = "1h"): Promise<string> {
  return await new SignJWT({ sub, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(jwtSecret));
}

/** A supabase-js client (anon, or the user of `accessToken`: a token, or a function answering the
 * current one, as an app that refreshes tokens passes it). Node 20 has no global WebSocket:
 * supabase-js takes the `ws` package's as its transport. */
export function client(accessToken?: string | (() => Promise<string>)): SupabaseClient {
  const current = typeof accessToken === "string" ? async () => accessToken : accessToken;
  const c = createClient(apiUrl, anonKey, {
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, timeout: WAIT_MS },
    ...(current ? { accessToken: current } : {}),
  });
  clients.push(c);
  return c;
}

export const signedIn = async (userId: string) => client(await token(userId));

/** Closes every client made by `client` (call it in afterAll). */
export async function closeClients() {
  for (const c of clients.splice(0)) {
    await Promise.race([c.removeAllChannels(), new Promise((r) => setTimeout(r, 3_000))]);
    await Promise.race([c.realtime.disconnect(), new Promise((r) => setTimeout(r, 1_000))]);
  }
}

/** Polls until `check` holds (it may ask the database), or fails after WAIT_MS. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Subscribes and resolves with the first status realtime-js reports. */
export function subscribe(channel: RealtimeChannel): Promise<{ status: string; err?: Error }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no subscribe status for ${channel.topic}`)), WAIT_MS + 2_000);
    channel.subscribe((status, err) => {
      clearTimeout(timer);
      resolve({ status, err });
    });
  });
}

/** Every broadcast a private topic delivers, in order of arrival. */
export type Received = { event: string; payload: any }[];

/** Joins a private topic (failing unless it is SUBSCRIBED) and records every broadcast on it. */
export async function listen(c: SupabaseClient, topic: string): Promise<Received> {
  const received: Received = [];
  const channel = c.channel(topic, { config: { private: true } });
  channel.on("broadcast", { event: "*" }, (m) => received.push({ event: m.event, payload: m.payload }));
  const { status, err } = await subscribe(channel);
  if (status !== "SUBSCRIBED") throw new Error(`could not join ${topic}: ${status} ${err?.message ?? ""}`);
  return received;
}

/**
 * Subscribes and records every status realtime-js reports. A first CHANNEL_ERROR can come before
 * SUBSCRIBED (supabase-js may join before its async accessToken resolves, as the anon key, and then
 * rejoins with the token); the server closing the channel shows as CLOSED.
 */
export function statuses(channel: RealtimeChannel): string[] {
  const seen: string[] = [];
  channel.subscribe((status, err) => seen.push(err ? `${status}: ${err.message}` : status));
  return seen;
}

/**
 * Collects one event's payloads on a channel (call before subscribing), typed by the contract
 * (supabase/contract/contract.json): `received(ch, "chatroom", "message.created")` is a ChatMessage[].
 */
export function received<F extends TopicFamily, E extends RealtimeEventName<F>>(
  channel: RealtimeChannel, _family: F, event: E,
): RealtimePayload<F, E>[] {
  const payloads: RealtimePayload<F, E>[] = [];
  channel.on("broadcast", { event }, (m) => payloads.push(m.payload as RealtimePayload<F, E>));
  return payloads;
}
