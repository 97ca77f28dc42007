// The test database, for fixtures and for checking what a request left behind (never for the calls a
// frontend makes: those go over HTTP with supabase-js, through the local Data API).
import postgres from "postgres";
import { dbUrl } from "./env.ts";

export const sql = postgres(dbUrl, { max: 10, onnotice: () => {} });
