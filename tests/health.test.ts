import { describe, expect, it } from "vitest";
import { anonKey, functionsUrl } from "./env.ts";

describe("health over HTTP", () => {
  it("answers ok through the functions gateway with the anon key", async () => {
    const res = await fetch(`${functionsUrl}/health`, { headers: { Authorization: `Bearer ${anonKey}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });
  });

  it("is refused without a valid JWT, as the platform's verify_jwt does", async () => {
    const res = await fetch(`${functionsUrl}/health`);
    expect(res.status).toBe(401);
    const forged = await fetch(`${functionsUrl}/health`, { headers: { Authorization: `Bearer ${anonKey}x` } });
    expect(forged.status).toBe(401);
  });

  it("refuses other methods with 405", async () => {
    const res = await fetch(`${functionsUrl}/health`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${anonKey}` },
    });
    expect(res.status).toBe(405);
    expect((await res.json()).error.code).toBe("method_not_allowed");
  });
});
