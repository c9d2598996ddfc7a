// expected.mjs — what the charts must show, worked out independently from
// the statistics the tests posted (harness.mjs loadData), following the
// processors' specification: means over the selected stats, the most
// recent stats of each (client, analysis) for the "latest" scope.
import {daysAgo} from './harness.mjs';

const LEVELS = ['Low risks', 'Medium risks', 'High risks'];

/* The stats of one type of the clients that share, each with its client's name. */
function sharedStats(clients, type) {
  return Object.entries(clients)
    .filter(([, c]) => c.is_sharing_enabled)
    .flatMap(([name, c]) => c.stats.filter((s) => s.type === type).map((s) => ({...s, client: name})));
}

/* scope: "last" (the latest stats of each client's analysis) or a number of days. */
export function selectStats(clients, type, scope) {
  const stats = sharedStats(clients, type);
  if (scope !== 'last') {
    const from = daysAgo(Number(scope));
    return stats.filter((s) => s.date >= from);
  }
  const latest = new Map();
  for (const s of stats) {
    const key = s.client + '/' + s.anr;
    if (!latest.has(key) || latest.get(key).date <= s.date) {
      latest.set(key, s);
    }
  }
  return Array.from(latest.values());
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const METRICS = ['count', 'maxRisk', 'averageRate'];

/* threat_average_on_date / vulnerability_average_on_date. */
export function objectAverages(stats) {
  const byObject = new Map();
  for (const s of stats) {
    for (const o of s.data) {
      const entry = byObject.get(o.uuid) || {occurrences: [], labels: null, labelsDate: ''};
      entry.occurrences.push({date: s.date, ...Object.fromEntries(METRICS.map((m) => [m, Number(o[m])]))});
      if (s.date >= entry.labelsDate) {
        entry.labels = {label1: o.label1 || '', label2: o.label2 || '', label3: o.label3 || '', label4: o.label4 || ''};
        entry.labelsDate = s.date;
      }
      byObject.set(o.uuid, entry);
    }
  }
  return Array.from(byObject.entries()).sort(([a], [b]) => a.localeCompare(b)).map(([object, e]) => {
    const dates = Array.from(new Set(e.occurrences.map((o) => o.date))).sort();
    return {
      object,
      labels: e.labels,
      values: dates.map((date) => {
        const onDate = e.occurrences.filter((o) => o.date === date);
        return {date, ...Object.fromEntries(METRICS.map((m) => [m, mean(onDate.map((o) => o[m]))]))};
      }),
      averages: Object.fromEntries(METRICS.map((m) => [m, mean(e.occurrences.map((o) => o[m]))])),
    };
  });
}

/* What a top-N chart shows: sorted by the metric (ties by uuid), cut at N. */
export function topObjects(objects, metric, order, top) {
  const sign = order === 'asc' ? 1 : -1;
  return objects.slice()
    .sort((a, b) => sign * (a.averages[metric] - b.averages[metric]) || a.object.localeCompare(b.object))
    .slice(0, top);
}

/* risk_averages: state → kind → level → mean value. */
export function riskAverages(stats) {
  const out = {};
  for (const state of ['current', 'residual']) {
    out[state] = {};
    for (const kind of ['informational', 'operational']) {
      out[state][kind] = {};
      for (const level of LEVELS) {
        const values = stats.map((s) => Number(s.data.risks[state][kind].find((l) => l.level === level).value));
        out[state][kind][level] = values.length ? mean(values) : 0;
      }
    }
  }
  return out;
}

/* A cartography matrix with list rows and list matrices made objects. */
function normaliseMatrix(matrix) {
  const out = {};
  for (const [row, cells] of Object.entries(matrix || {})) {
    out[row] = {};
    for (const [column, count] of Object.entries(cells)) {
      if (count) {
        out[row][column] = count;
      }
    }
  }
  return out;
}

/* cartography_totals over the latest stats of each analysis: the summed count of one cell. */
export function cartographyCell(stats, state, kind, impact, column) {
  return stats.reduce((sum, s) => sum + Number((normaliseMatrix(s.data.risks[state][kind])[impact] || {})[column] || 0), 0);
}

export function cartographyScale(stats, name) {
  return Array.from(new Set(stats.flatMap((s) => s.data.scales[name]))).sort((a, b) => a - b);
}

/* The latest stats of each analysis dated `back` days ago or before, not older than the window. */
function standingAt(stats, back, window) {
  const date = daysAgo(back);
  const oldest = daysAgo(back + window);
  const latest = new Map();
  for (const s of stats) {
    const key = s.client + '/' + s.anr;
    if (s.date <= date && (!latest.has(key) || latest.get(key).date < s.date)) {
      latest.set(key, s);
    }
  }
  return Array.from(latest.values()).filter((s) => s.date >= oldest);
}

/*
 * /stats/evolution/<type>.json for one object: the landscape as of each point,
 * every `step` days back from today to `days` days ago, oldest first.  At a
 * point each analysis stands with its latest stats dated on or before it and
 * not older than `window` days; the point's means are over the standing
 * analyses whose stats list the object (null when there are none).
 */
export function evolutionPoints(clients, type, uuid, days, {step = 1, window = 90} = {}) {
  const stats = sharedStats(clients, type);
  const points = [];
  for (let back = 0; back <= days; back += step) {
    const standing = standingAt(stats, back, window)
      .map((s) => ({client: s.client, o: s.data.find((x) => x.uuid === uuid)})).filter((x) => x.o);
    const means = Object.fromEntries(METRICS.map((m) => [m, standing.length ? mean(standing.map((x) => Number(x.o[m]))) : null]));
    points.unshift({date: daysAgo(back), ...means, analyses: standing.length, organisations: new Set(standing.map((x) => x.client)).size});
  }
  return points;
}

/* /stats/evolution/risk.json's points of one state and kind, a point every
 * `step` days back from today: each level's mean over the analyses standing. */
export function riskEvolutionPoints(clients, state, kind, days, {step = 1, window = 90} = {}) {
  const stats = sharedStats(clients, 'risk');
  const points = [];
  for (let back = 0; back <= days; back += step) {
    const standing = standingAt(stats, back, window);
    const levels = Object.fromEntries(LEVELS.map((level) => [level, standing.length
      ? mean(standing.map((s) => Number(s.data.risks[state][kind].find((l) => l.level === level).value))) : null]));
    points.unshift({date: daysAgo(back), ...levels, analyses: standing.length, organisations: new Set(standing.map((s) => s.client)).size});
  }
  return points;
}
