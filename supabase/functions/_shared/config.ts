// Environment configuration, read and validated once when a function starts. A missing variable
// fails the boot with a message naming it (never its value: values may be secrets).
export class ConfigError extends Error {}

export type Env = (name: string) => string | undefined;
const processEnv: Env = (name) => Deno.env.get(name);

/** Reads the named variables; throws one ConfigError listing every missing required one. */
export function readConfig<R extends string, O extends string = never>(
  required: readonly R[],
  optional: readonly O[] = [],
  env: Env = processEnv,
): Record<R, string> & Partial<Record<O, string>> {
  const missing = required.filter((name) => !env(name));
  if (missing.length > 0) {
    throw new ConfigError(
      `Missing environment variable${missing.length > 1 ? "s" : ""}: ${missing.join(", ")} (see .env.example).`,
    );
  }
  const config: Record<string, string> = {};
  for (const name of [...required, ...optional]) {
    const value = env(name);
    if (value) config[name] = value;
  }
  return config as Record<R, string> & Partial<Record<O, string>>;
}

/** How long a function waits for an outside service: ORY_/IGDB_/LIVEPEER_TIMEOUT_MS, in milliseconds. */
export const TIMEOUT_RANGE = { min: 100, max: 30_000 } as const;

/** An integer variable in `range`, or `fallback` when unset; a ConfigError naming the range otherwise. */
export function integerSetting(
  name: string,
  value: string | undefined,
  fallback: number,
  range: { min: number; max: number } = TIMEOUT_RANGE,
): number {
  const parsed = Number(value ?? fallback);
  if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new ConfigError(`${name} must be an integer between ${range.min} and ${range.max}.`);
  }
  return parsed;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical text form (any version, either case): the shape of every id here. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
