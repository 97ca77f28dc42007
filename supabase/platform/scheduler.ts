// LOCAL ONLY, NEVER DEPLOYED: a stand-in for pg_cron on the docker-less stack, run by the functions
// gateway. Hosted Supabase runs the same jobs with pg_cron (`private.schedule_notification_jobs()`);
// here the gateway reads them from `private.notification_jobs()` (the one list both use) and runs
// each command on a timer. Two schedule shapes are understood, the ones those jobs use:
// '<n> seconds' (every n seconds) and '<minute> * * * *' (hourly at that minute). A run never
// overlaps the previous run of the same job, as with pg_cron.
import postgres from "postgres";

export interface Job {
  name: string;
  schedule: string;
  command: string;
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

export function createScheduler(deps: { dbUrl: string; log?: (line: string) => void }) {
  const log = deps.log ?? ((line: string) => console.log(line));
  const sql = postgres(deps.dbUrl, { max: 2, onnotice: () => {}, connection: { application_name: "streamz-scheduler" } });
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let stopped = false;

  function plan(job: Job) {
    const delay = nextDelay(job.schedule, new Date());
    if (delay === undefined) {
      log(`scheduler: ${job.name}: schedule '${job.schedule}' is not supported locally; not run`);
      return;
    }
    timers.set(job.name, setTimeout(async () => {
      try {
        await sql.unsafe(job.command);
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
