// The docs state each rule once and link to it, so every link between them must land: each relative
// link in README.md and docs/*.md names a file that exists and, after `#`, a heading of that file
// (its anchor as GitHub renders it: lowercased, punctuation but `-` and `_` dropped, spaces as `-`,
// `-1`, `-2`… for repeated headings). Links inside fenced code are not links.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const files = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** The lines of a Markdown file outside fenced code blocks. */
function prose(file: string): string[] {
  let fenced = false;
  return readFileSync(join(ROOT, file), "utf8").split("\n").filter((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    return !fenced && !line.startsWith("```");
  });
}

/** The anchors GitHub gives a Markdown file's headings. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(file)) {
    const heading = line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!heading) continue;
    const slug = heading[1].toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replaceAll(" ", "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

describe("links between the docs", () => {
  it("land on an existing file and heading", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const line of prose(file)) {
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/.test(target)) continue; // http(s), mailto: not ours to check
          const [path, anchor] = target.split("#");
          const resolved = path ? relative(ROOT, join(ROOT, dirname(file), path)) : file;
          checked++;
          if (!existsSync(join(ROOT, resolved))) broken.push(`${file}: ${target} (no file ${resolved})`);
          else if (anchor !== undefined && resolved.endsWith(".md") && !anchors(resolved).has(anchor)) {
            broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
