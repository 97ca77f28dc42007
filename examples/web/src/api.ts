// The one supabase-js client, built from config.json (URL + anon key: local stack or hosted), and
// the signed-in user (a pasted access token, kept in localStorage).
import { createClient, type SupabaseClient } from "@supabase/supabase-js";

export interface Config {
  supabaseUrl: string;
  anonKey: string;
}
export interface Me {
  id: string;
  username: string;
  display_name: string | null;
}

const TOKEN_KEY = "streamz.token";
export let config: Config;
export let supabase: SupabaseClient;
export let me: Me | null = null;

function tokenSubject(token: string): { sub: string; exp: number } | null {
  try {
    const body = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(body));
  } catch {
    return null;
  }
}

export async function connect() {
  config = await (await fetch("config.json")).json();
  const token = localStorage.getItem(TOKEN_KEY);
  const claims = token ? tokenSubject(token) : null;
  const valid = token && claims?.sub && claims.exp * 1000 > Date.now();
  if (token && !valid) localStorage.removeItem(TOKEN_KEY);
  supabase = valid
    ? createClient(config.supabaseUrl, config.anonKey, { accessToken: async () => token })
    : createClient(config.supabaseUrl, config.anonKey);
  if (valid) {
    const { data } = await supabase.from("users").select("id, username, display_name").eq("id", claims!.sub).maybeSingle();
    me = data;
  }
}

/** Keeps the token and reloads, so every request and channel runs as that user. */
export function signIn(token: string) {
  if (!tokenSubject(token.trim())?.sub) throw new Error("That is not an access token.");
  localStorage.setItem(TOKEN_KEY, token.trim());
  location.reload();
}

export function signOut() {
  localStorage.removeItem(TOKEN_KEY);
  location.reload();
}

/** GET /functions/v1/search (docs/search.md). */
export async function search(q: string, signal: AbortSignal) {
  const url = new URL(`${config.supabaseUrl}/functions/v1/search`);
  url.search = new URLSearchParams({ q, type: "channels,categories,livestreams", per_page: "5" }).toString();
  const res = await fetch(url, { signal, headers: { apikey: config.anonKey, Authorization: `Bearer ${config.anonKey}` } });
  if (!res.ok) throw new Error(`search answered ${res.status}`);
  return await res.json() as Record<"channels" | "categories" | "livestreams", { found: number; hits: Record<string, unknown>[] }>;
}
