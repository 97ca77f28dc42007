// LOCAL ONLY, NEVER DEPLOYED: a stand-in for pg_cron on the docker-less stack, run by the functions
// gateway. Hosted Supabase runs the same jobs with pg_cron (`private.schedule_notification_jobs()`);
// here the gateway reads them from `private.notification_jobs()` (the one list both use) and runs
// each command on a timer. Two schedule shapes are understood, the ones those jobs use:
// '<n> seconds' (every n seconds) and '<minute> * * * *' (hourly at that minute). A run never
// overlaps the previous run of the same job, as with pg_cron. Scheduled edge functions
// (`private.function_jobs()`, pg_cron + pg_net on hosted) are POSTed to through this gateway with
// the service role key, as pg_net does with the key from Vault, when `private.function_job_due` says so. `skip` names jobs not to run.
import postgres from "postgres";

export interface Job {
  name: string;
  schedule: string;
  /** SQL to run, or (function jobs) the edge function to POST to. */
  command: string;
  kind?: "sql" | "function";
}

/** Milliseconds from `now` to the job's next run, or undefined for a schedule this stand-in cannot run. */
export function nextDelay(schedule: string, now: Date): number | undefined {
  const seconds = schedule.match(/^\s*([1-9]|[1-5][0-9])\s+seconds?\s*$/);
  if (seconds) return Number(seconds[1]) * 1000;
  const hourly = schedule.match(/^\s*([0-9]|[1-5][0-9])\s+\*\s+\*\s+\*\s+\*\s*$/);
  if (hourly) {
    const next = new Date(now);
    next.setUTCMinutes(Number(hourly[1]), 0, 0);
    if (next <= now) next.setUTCHours(next.getUTCHours() + 1);
    return next.getTime() - now.getTime();
  }
  return undefined;
}

export interface SchedulerDeps {
  dbUrl: string;
  log?: (line: string) => void;
  /** e.g. http://127.0.0.1:54321/functions/v1; without it (or a key) function jobs are not run. */
  functionsUrl?: string;
  serviceKey?: string;
  /** Job names not to run here. */
  skip?: string[];
}

export function createScheduler(deps: SchedulerDeps) {
  const log = deps.log ?? ((line: string) => console.log(line));
  const sql = postgres(deps.dbUrl, { max: 2, onnotice: () => {}, connection: { application_name: "streamz-scheduler" } });
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const failing = new Set<string>();
  let stopped = false;

  async function runFunction(job: Job) {
    // As the pg_cron command does: post only when the database says the function has work.
    const [{ due }] = await sql<{ due: boolean }[]>`select private.function_job_due(${job.command}) as due`;
    if (!due) return;
    const res = await fetch(`${deps.functionsUrl}/${job.command}`, {
      method: "POST",
      headers: { authorization: `Bearer ${deps.serviceKey}`, "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(30_000),
    });
    await res.body?.cancel();
    // Logged once per failing streak (a function without its outside service answers 5xx each run).
    if (!res.ok && !failing.has(job.name)) log(`scheduler: ${job.name} answered HTTP ${res.status}`);
    if (res.ok) failing.delete(job.name);
    else failing.add(job.name);
  }

  function plan(job: Job) {
    const delay = nextDelay(job.schedule, new Date());
    if (delay === undefined) {
      log(`scheduler: ${job.name}: schedule '${job.schedule}' is not supported locally; not run`);
      return;
    }
    timers.set(job.name, setTimeout(async () => {
      try {
        if (job.kind === "function") await runFunction(job);
        else await sql.unsafe(job.command);
      } catch (e) {
        log(`scheduler: ${job.name} failed: ${(e as Error).message}`);
      }
      if (!stopped) plan(job);
    }, delay));
  }

  return {
    async start() {
      let jobs: Job[] = [];
      try {
        jobs = await sql<Job[]>`select name, schedule, command from private.notification_jobs()`;
      } catch (e) {
        log(`scheduler: no jobs (${(e as Error).message})`);
      }
      if (deps.functionsUrl && deps.serviceKey) {
        try {
          const fns = await sql<Job[]>`select name, schedule, function_name as command from private.function_jobs()`;
          jobs.push(...fns.map((j) => ({ ...j, kind: "function" as const })));
        } catch (e) {
          log(`scheduler: no function jobs (${(e as Error).message})`);
        }
      }
      jobs = jobs.filter((j) => !(deps.skip ?? []).includes(j.name));
      for (const job of jobs) plan(job);
      return jobs.map((j) => j.name);
    },
    async stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      await sql.end({ timeout: 1 });
    },
  };
}
