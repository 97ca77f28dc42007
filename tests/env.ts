// Where the stack under test lives; `npm test` sets these for the throwaway database it builds.
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`.`);
  return value;
}

export const functionsUrl = required("STREAMZ_FUNCTIONS_URL");
/** The API root (`/rest/v1` and `/functions/v1`), as supabase-js `createClient` takes it. */
export const apiUrl = required("STREAMZ_API_URL");
export const dbUrl = required("STREAMZ_DB_URL");
export const anonKey = required("STREAMZ_ANON_KEY");
export const serviceRoleKey = required("STREAMZ_SERVICE_ROLE_KEY");
export const jwtSecret = required("STREAMZ_JWT_SECRET");
