// Ory identities -> Streamz users. `session` (lazy, on first sight) and `ory-hooks` (after
// registration / settings) both go through private.provision_user, the one function that creates or
// refreshes a user; this module turns an identity into its arguments and its failures into HTTP errors.
import { isUuid } from "./config.ts";
import type { Sql } from "./db.ts";
import { HttpError } from "./http.ts";

export const NIL_UUID = "00000000-0000-0000-0000-000000000000";
/** RFC 5321's longest address. */
export const MAX_EMAIL_LENGTH = 254;
/** A basic `local@domain`: one `@`, nothing blank and no control character (U+0000 included) anywhere. */
const EMAIL_SHAPE = /^[^@\s\p{Cc}]+@[^@\s\p{Cc}]+$/u;

/** The parts of an Ory identity we read (Ory's JSON, snake_case, as toSession and Actions send it). */
export interface OryIdentity {
  id?: unknown;
  traits?: unknown;
  verifiable_addresses?: unknown;
}

export interface Profile {
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string | null;
  avatar_url: string | null;
  bio: string | null;
  created_at: Date | string;
}

/** Reads id, username, email and whether that email is verified; 422 with a precise code otherwise.
 * Every string that reaches Postgres is checked here (a UUID, the username's characters, the email's
 * shape), so none carries a U+0000 that text columns refuse with a 500. */
export function profileFromIdentity(identity: OryIdentity | undefined | null): Profile {
  if (!identity || typeof identity !== "object") {
    throw new HttpError(422, "identity_missing", "The body has no identity object.");
  }
  const id = typeof identity.id === "string" ? identity.id.toLowerCase() : "";
  if (id === NIL_UUID) {
    throw new HttpError(
      422,
      "identity_not_persisted",
      "The identity id is all zeros: the hook ran before Ory saved the identity; configure it with response.parse=false.",
    );
  }
  if (!isUuid(id)) throw new HttpError(422, "identity_invalid", "The identity id is not a UUID.");
  const traits = (identity.traits && typeof identity.traits === "object" ? identity.traits : {}) as Record<
    string,
    unknown
  >;
  const username = typeof traits.username === "string" ? traits.username.trim() : "";
  if (!/^[A-Za-z0-9_]{3,25}$/.test(username)) {
    throw new HttpError(
      422,
      "username_invalid",
      "The identity's username trait must be 3-25 letters, digits or underscores.",
    );
  }
  const addresses = Array.isArray(identity.verifiable_addresses) ? identity.verifiable_addresses : [];
  const emailAddresses = addresses.filter((
    a,
  ): a is { value: string; verified?: unknown; status?: unknown; via?: unknown } =>
    !!a && typeof a === "object" && typeof (a as { value?: unknown }).value === "string" &&
    ((a as { via?: unknown }).via === undefined || (a as { via?: unknown }).via === "email")
  );
  const traitEmail = typeof traits.email === "string" && traits.email.trim() !== "" ? traits.email.trim() : null;
  const email = traitEmail ?? emailAddresses[0]?.value ?? null;
  if (email !== null && (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email))) {
    throw new HttpError(
      422,
      "email_invalid",
      `The identity's email must be an address (local@domain) of at most ${MAX_EMAIL_LENGTH} characters.`,
    );
  }
  const emailVerified = email !== null &&
    emailAddresses.some((a) =>
      a.value.toLowerCase() === email.toLowerCase() && (a.verified === true || a.status === "completed")
    );
  return { id, username, email, emailVerified };
}

/** Creates or refreshes the user (idempotent). 409 when another user holds the username. */
export async function provisionUser(sql: Sql, profile: Profile): Promise<UserRow> {
  try {
    const [user] = await sql<UserRow[]>`
      select u.id, u.username::text as username, u.display_name, u.avatar_url, u.bio, u.created_at
      from private.provision_user(${profile.id}::uuid, ${profile.username}, ${profile.email}, ${profile.emailVerified}) u`;
    return user;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "23505") {
      throw new HttpError(409, "username_taken", "Another account already uses this username.");
    }
    if (code === "22023") throw new HttpError(422, "identity_not_persisted", "The identity id is all zeros.");
    if (code === "23514") throw new HttpError(422, "username_invalid", "The username or email is not accepted.");
    throw e;
  }
}

export function userJson(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    avatar_url: user.avatar_url,
    bio: user.bio,
    created_at: user.created_at instanceof Date ? user.created_at.toISOString() : user.created_at,
  };
}
