// evolution.test.mjs — the /evolution page in headless Chromium: lines over
// time of the chosen threats and vulnerabilities (metric selectable) and of
// the risk levels, over the chosen period, with their downloads.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  GENERATED_THREAT, assertClean, cardState, chartData, download, labelFor, loadData, openBrowser, parseCsv,
  requireStatsEndpoints, startServer,
} from './harness.mjs';
import {objectAverages, riskAveragesOnDate, selectStats} from './expected.mjs';

let server;
let clients;
let browser;

before(async () => {
  server = await startServer();
  clients = await loadData(server);
  await requireStatsEndpoints(server);
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((value, i) => {
    if (expected[i] === null) {
      assert.equal(value, null, `${what}[${i}]`);
    } else {
      assert.ok(Math.abs(value - expected[i]) <= 1e-9 * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${value} != ${expected[i]}`);
    }
  });
}

/* The datasets the page must draw for the chosen objects: one value per date of the union. */
function expectedLines(objects, metric) {
  const dates = Array.from(new Set(objects.flatMap((o) => o.values.map((v) => v.date)))).sort();
  return {dates, lines: objects.map((o) => dates.map((d) => {
    const v = o.values.find((x) => x.date === d);
    return v ? v[metric] : null;
  }))};
}

test('threats over time: the five highest by default, metric and choice', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const objects = objectAverages(selectStats(clients, 'threat', '180'));
  const ranked = objects.slice().sort((a, b) => b.averages.averageRate - a.averages.averageRate || a.object.localeCompare(b.object));
  const chosen = ranked.slice(0, 5);
  let chart = await chartData(page, '#evolution-threats-chart');
  const byName = (list) => list.slice().sort((a, b) => labelFor(a.labels, 'en').localeCompare(labelFor(b.labels, 'en'), 'en'));
  const check = async (list, metric) => {
    const want = expectedLines(byName(list), metric);
    chart = await chartData(page, '#evolution-threats-chart');
    assert.deepEqual(chart.labels, want.dates);
    assert.deepEqual(chart.datasets.map((d) => d.label), byName(list).map((o) => labelFor(o.labels, 'en')));
    chart.datasets.forEach((d, i) => assertClose(d.data, want.lines[i], `${metric} ${d.label}`));
  };
  await check(chosen, 'averageRate');
  const generated = chart.datasets.find((d) => d.label === 'Generated threat');
  assert.deepEqual(generated.data.filter((v) => v !== null), [3.5, 4, 4.5]);

  // Untick everything but the generated threat, then follow its occurrences.
  await page.click('[data-chart="evolution-threats"] summary');
  for (const o of chosen.filter((x) => x.object !== GENERATED_THREAT)) {
    await page.uncheck(`[data-chart="evolution-threats"] input[value="${o.object}"]`);
  }
  await check(objects.filter((o) => o.object === GENERATED_THREAT), 'averageRate');
  await page.selectOption('#evolution-threats-metric', 'count');
  const byCount = objects.slice().sort((a, b) => b.averages.count - a.averages.count || a.object.localeCompare(b.object)).slice(0, 5);
  await check(byCount, 'count');

  const rows = parseCsv((await download(page, page.locator('[data-chart="evolution-threats"] [data-export="csv"]'))).bytes);
  assert.deepEqual(rows[0], ['date', 'uuid', 'label', 'count']);
  const wantRows = byCount.flatMap((o) => o.values.map((v) => [v.date, o.object, labelFor(o.labels, 'en'), v.count]))
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 3)), wantRows.map((r) => r.slice(0, 3)));
  assertClose(rows.slice(1).map((r) => Number(r[3])), wantRows.map((r) => r[3]), 'csv count');

  // A shorter period leaves out the older dates.
  await page.selectOption('#period', '30');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  chart = await chartData(page, '#evolution-threats-chart');
  const recent = objectAverages(selectStats(clients, 'threat', '30'));
  const dates = Array.from(new Set(recent.flatMap((o) => o.values.map((v) => v.date)))).sort();
  assert.ok(chart.labels.every((d) => dates.includes(d)));
  assertClean(assert, browser.watch);
});

test('vulnerabilities over time', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-vulnerabilities'), 'ready');
  const objects = objectAverages(selectStats(clients, 'vulnerability', '180'));
  const chart = await chartData(page, '#evolution-vulnerabilities-chart');
  assert.equal(chart.datasets.length, Math.min(5, objects.length));
  assert.ok(chart.datasets.some((d) => d.label === 'Generated vulnerability'));
  const png = await download(page, page.locator('[data-chart="evolution-vulnerabilities"] [data-export="png"]'));
  assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
  assertClean(assert, browser.watch);
});

test('risk levels over time, by kind and state', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-risks'), 'ready');
  const stats = selectStats(clients, 'risk', '180');
  for (const [kind, state] of [['informational', 'current'], ['operational', 'residual'], ['informational', 'residual']]) {
    await page.selectOption('#evolution-risks-kind', kind);
    await page.selectOption('#evolution-risks-state', state);
    const want = riskAveragesOnDate(stats, state, kind);
    const chart = await chartData(page, '#evolution-risks-chart');
    assert.deepEqual(chart.labels, want['Low risks'].map((v) => v.date));
    assert.deepEqual(chart.datasets.map((d) => d.label), ['Low risks', 'Medium risks', 'High risks']);
    ['Low risks', 'Medium risks', 'High risks'].forEach((level, i) =>
      assertClose(chart.datasets[i].data, want[level].map((v) => v.value), `${kind} ${state} ${level}`));
  }
  const rows = parseCsv((await download(page, page.locator('[data-chart="evolution-risks"] [data-export="csv"]'))).bytes);
  assert.deepEqual(rows[0], ['date', 'Low risks', 'Medium risks', 'High risks']);
  assert.equal(rows.length - 1, riskAveragesOnDate(stats, 'residual', 'informational')['Low risks'].length);
  assertClean(assert, browser.watch);
});
