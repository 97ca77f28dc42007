// What the API roles may do in our schemas, one line per privilege: a database built on a project
// that exposes new tables to the Data API must end with exactly the lines of one built without.
import { buildDatabase, migrate, psql } from "./cluster.ts";

const SNAPSHOT = `
with api_roles (oid, name) as (
  select oid, rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role')
  union all select 0, 'PUBLIC'),
relations as (
  select c.oid, c.oid::regclass::text as name, c.relkind, c.relacl, c.relowner
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('public', 'private') and c.relkind in ('r', 'v', 'm', 'p', 'S'))
select line from (
  select format('%s %s %s %s', case r.relkind when 'S' then 'sequence' else 'table' end, r.name, g.name, a.privilege_type)
  from relations r, aclexplode(r.relacl) a join api_roles g on g.oid = a.grantee
  union all
  select format('column %s.%I %s %s', r.name, att.attname, g.name, a.privilege_type)
  from relations r join pg_attribute att on att.attrelid = r.oid and att.attnum > 0 and not att.attisdropped,
    aclexplode(att.attacl) a join api_roles g on g.oid = a.grantee
  union all
  select format('function %s %s %s', p.oid::regprocedure, g.name, a.privilege_type)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace and n.nspname in ('public', 'private'),
    aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a join api_roles g on g.oid = a.grantee
) s (line) order by line`;

export async function privilegeLines(major: number, database: string): Promise<string[]> {
  const r = await psql(major, database, { sql: `set search_path = ''; ${SNAPSHOT}`, tuplesOnly: true });
  return r.stdout.split("\n").filter(Boolean);
}

/**
 * Builds `database` as a project whose platform still grants everything in public to the API roles
 * by default (the Data API's "expose new tables" on, as on projects made before the 2026 revoke):
 * the shim, then those default privileges back, then every migration.
 */
export async function buildExposedDatabase(major: number, database: string) {
  await buildDatabase(major, database, { seed: false, durable: false, migrate: false });
  await psql(major, database, {
    user: "postgres",
    sql: ["tables", "sequences", "functions"].map((kind) =>
      `alter default privileges for role postgres in schema public grant all on ${kind} to anon, authenticated, service_role;`
    ).join("\n"),
  });
  await migrate(database);
}
