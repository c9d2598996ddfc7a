// check-engines.mjs — every npm package the project locks runs on its Node.js.
//
//   node scripts/check-engines.mjs
//
// A bare Debian 12 machine gets Debian's nodejs 18 from scripts/install-deps.sh,
// and npm installs a package whose `engines.node` refuses it without a word
// (npm ci only warns); the package then fails at run time (playwright-core 1.62
// and later need Node 20).  This check reads package-lock.json and evaluates
// each locked package's `engines.node` range at two versions: the lowest Node the
// project supports (package.json's own `engines.node`, ">=X.Y") and the Node that
// runs it.  A range it cannot read fails too, rather than being taken as met.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';


// "1", "1.2", "1.2.3", with x or * as wildcards → [major, minor, patch, wildcards].
function parseVersion(text) {
  const m = /^v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-[0-9A-Za-z.-]+)?$/.exec(text);
  if (!m) return null;
  const parts = [m[1], m[2], m[3]];
  const wild = parts.findIndex((p) => p === undefined || p === 'x' || p === '*');
  return { v: parts.map((p) => (/^\d+$/.test(p ?? '') ? Number(p) : 0)), given: wild < 0 ? 3 : wild };
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

// One comparator ("<op>version") at version v; null when it cannot be read.
function satisfiesComparator(comp, v) {
  const m = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(comp);
  const op = m[1] ?? '=';
  if (m[2] === '*' || m[2] === 'x' || m[2] === '') return true;
  const r = parseVersion(m[2]);
  if (!r) return null;
  const c = compare(v, r.v);
  // The first version past a partial one ("1.2" → 1.3.0) bounds =, ^ and ~.
  const next = (i) => r.v.map((x, j) => (j < i ? x : j === i ? x + 1 : 0));
  switch (op) {
    case '>=': return c >= 0;
    case '>': return r.given < 3 ? compare(v, next(r.given - 1)) >= 0 : c > 0;
    case '<=': return r.given < 3 ? compare(v, next(r.given - 1)) < 0 : c <= 0;
    case '<': return c < 0;
    case '=': return r.given === 0 || (c >= 0 && (r.given === 3 ? c === 0 : compare(v, next(r.given - 1)) < 0));
    case '^': {
      const lead = r.v[0] > 0 || r.given === 1 ? 0 : r.v[1] > 0 || r.given === 2 ? 1 : 2;
      return c >= 0 && compare(v, next(lead)) < 0;
    }
    case '~': return c >= 0 && compare(v, next(r.given >= 2 ? 1 : 0)) < 0;
  }
  return null;
}

// A whole range ("A B || C"): true, false, or null when some part cannot be read.
export function satisfies(range, version) {
  const v = parseVersion(version).v;
  let unreadable = false;
  for (const alt of range.split('||')) {
    const comps = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    const results = comps.map((c) => satisfiesComparator(c, v));
    if (results.includes(null)) { unreadable = true; continue; }
    if (results.every(Boolean)) return true;
  }
  return unreadable ? null : false;
}

// The problems of a lockfile against package.json's floor and the running Node.
export function checkLock(pkg, lock, running = process.versions.node) {
  const floor = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines?.node ?? '');
  if (!floor) return { problems: ['package.json: engines.node must read ">=X.Y" (the lowest Node.js supported)'] };
  const versions = [parseVersion(floor[1]).v.join('.'), running];
  const problems = [];
  let checked = 0;
  for (const [where, entry] of Object.entries(lock.packages ?? {})) {
    const range = entry.engines?.node;
    if (!where || typeof range !== 'string') continue;
    checked++;
    for (const version of versions) {
      const ok = satisfies(range, version);
      if (ok === null) problems.push(`${where}: cannot read engines.node "${range}"`);
      else if (!ok) problems.push(`${where} ${entry.version}: engines.node "${range}" refuses Node.js ${version}`);
    }
  }
  return { problems: [...new Set(problems)], checked, versions };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const read = (name) => JSON.parse(fs.readFileSync(path.join(root, name), 'utf8'));
  const { problems, checked, versions } = checkLock(read('package.json'), read('package-lock.json'));
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`${checked} locked packages with an engines.node range admit Node.js ${versions.join(' and ')}`);
}
