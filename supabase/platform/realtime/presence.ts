// Presence in Phoenix's shape (pure).
export type Meta = Record<string, unknown> & { phx_ref: string };
export type PresenceMap = Record<string, { metas: Meta[] }>;

/** Phoenix's shape for a topic's presences: key → { metas: [...] }, one meta per tracking channel. */
export function presenceState(entries: Iterable<{ key: string; meta: Meta }>): PresenceMap {
  const state: PresenceMap = {};
  for (const { key, meta } of entries) (state[key] ??= { metas: [] }).metas.push(meta);
  return state;
}

export function presenceDiff(joins: { key: string; meta: Meta }[], leaves: { key: string; meta: Meta }[]) {
  return { joins: presenceState(joins), leaves: presenceState(leaves) };
}
