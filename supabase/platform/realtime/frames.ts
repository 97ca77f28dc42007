// The Phoenix channels protocol as @supabase/realtime-js speaks it (pure; tested in realtime_test.ts):
// vsn 1.0.0 (JSON objects) and 2.0.0 (JSON arrays, plus the binary user-broadcast push).
export type Vsn = "1.0.0" | "2.0.0";

export interface Msg {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: any;
}

const USER_BROADCAST_PUSH = 3;
const JSON_ENCODING = 1;

/** One client frame as a message; null when it cannot be read. */
export function decodeFrame(data: string | ArrayBuffer | Uint8Array, vsn: Vsn): Msg | null {
  try {
    if (typeof data !== "string") return decodeUserBroadcastPush(data instanceof Uint8Array ? data : new Uint8Array(data));
    const raw = JSON.parse(data);
    if (vsn === "2.0.0" && Array.isArray(raw)) {
      const [join_ref, ref, topic, event, payload] = raw;
      return typeof topic === "string" && typeof event === "string" ? { join_ref, ref, topic, event, payload } : null;
    }
    if (vsn === "1.0.0" && raw && typeof raw === "object" && !Array.isArray(raw)) {
      const { join_ref = null, ref = null, topic, event, payload } = raw;
      return typeof topic === "string" && typeof event === "string" ? { join_ref, ref, topic, event, payload } : null;
    }
    return null;
  } catch {
    return null;
  }
}

// vsn 2.0.0 sends `broadcast` pushes as bytes: kind, five lengths (join_ref, ref, topic, event,
// metadata), the payload encoding, those five strings, then the payload.
function decodeUserBroadcastPush(bytes: Uint8Array): Msg | null {
  if (bytes[0] !== USER_BROADCAST_PUSH || bytes.length < 7) return null;
  const text = new TextDecoder();
  let offset = 7;
  const take = (n: number) => text.decode(bytes.subarray(offset, (offset += n)));
  const [joinRef, ref, topic, event] = [take(bytes[1]), take(bytes[2]), take(bytes[3]), take(bytes[4])];
  take(bytes[5]); // metadata: unused, as in Realtime
  if (bytes[6] !== JSON_ENCODING) return null; // binary payloads are not supported locally
  const payload = JSON.parse(text.decode(bytes.subarray(offset)) || "{}");
  return { join_ref: joinRef || null, ref: ref || null, topic, event: "broadcast", payload: { type: "broadcast", event, payload } };
}

export function encodeFrame(msg: Msg, vsn: Vsn): string {
  return vsn === "2.0.0" ? JSON.stringify([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload]) : JSON.stringify(msg);
}

/** `realtime:room:1` → `room:1`, what `realtime.topic()` sees. */
export function subTopic(topic: string): string {
  return topic.startsWith("realtime:") ? topic.slice("realtime:".length) : topic;
}
