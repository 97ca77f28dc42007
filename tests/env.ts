// Where the stack under test lives; `npm test` sets these for the throwaway database it builds.
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`.`);
  return value;
}

export const functionsUrl = requiredEnv("STREAMZ_FUNCTIONS_URL");
/** The API root (`/rest/v1` and `/functions/v1`), as supabase-js `createClient` takes it. */
export const apiUrl = requiredEnv("STREAMZ_API_URL");
export const dbUrl = requiredEnv("STREAMZ_DB_URL");
export const anonKey = requiredEnv("STREAMZ_ANON_KEY");
export const serviceRoleKey = requiredEnv("STREAMZ_SERVICE_ROLE_KEY");
export const jwtSecret = requiredEnv("STREAMZ_JWT_SECRET");
