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
