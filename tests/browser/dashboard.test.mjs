// dashboard.test.mjs — the landscape page (/) in headless Chromium, against a
// server filled with the MONARC fixture and generated data: every chart drawn
// with the right labels and values, its controls, its PNG and CSV downloads,
// the scope, the language switch; no console error, no request off 127.0.0.1.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  GENERATED_THREAT, SECRET_THREAT, assertClean, cardState, chartData, download, labelFor, loadData,
  openBrowser, parseCsv, requireStatsEndpoints, startServer,
} from './harness.mjs';
import {
  cartographyCell, cartographyScale, objectAverages, riskAverages, selectStats, topObjects,
} from './expected.mjs';

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
    assert.ok(Math.abs(value - expected[i]) <= 1e-9 * Math.max(1, Math.abs(expected[i])),
      `${what}[${i}]: ${value} != ${expected[i]}`);
  });
}

async function openDashboard(query = '') {
  const page = await browser.page();
  await page.goto(server.url + '/' + query);
  return page;
}

for (const [kind, type] of [['threats', 'threat'], ['vulnerabilities', 'vulnerability']]) {
  test(`top ${kind}: labels, values, top N, metric and order`, async () => {
    const page = await openDashboard();
    if (kind === 'vulnerabilities') {
      await page.click('#tab-vulnerabilities');
    }
    assert.equal(await cardState(page, kind), 'ready');
    const objects = objectAverages(selectStats(clients, type, 'last'));
    const check = async (metric, order, top) => {
      const want = topObjects(objects, metric, order, top);
      const chart = await chartData(page, `#${kind}-chart`);
      assert.deepEqual(chart.labels, want.map((o) => labelFor(o.labels, 'en', o.object)), `${metric} ${order} ${top}`);
      assertClose(chart.datasets[0].data, want.map((o) => o.averages[metric]), `${metric} ${order} ${top}`);
      return chart;
    };
    const first = await check('averageRate', 'desc', 10);
    assert.ok(first.labels.length >= 3);
    if (kind === 'threats') {
      assert.equal(first.labels[0], 'Generated threat');
      assert.ok(!first.labels.includes('Secret threat'), 'a client that does not share must not show');
      assert.ok(!objects.some((o) => o.object === SECRET_THREAT));
      assert.ok(first.labels.includes('Error in use'));
    }
    await page.selectOption(`#${kind}-top`, '5');
    await check('averageRate', 'desc', 5);
    await page.selectOption(`#${kind}-metric`, 'count');
    await check('count', 'desc', 5);
    await page.selectOption(`#${kind}-metric`, 'maxRisk');
    await check('maxRisk', 'desc', 5);
    await page.selectOption(`#${kind}-order`, 'asc');
    await check('maxRisk', 'asc', 5);
    await page.selectOption(`#${kind}-top`, '15');
    const all = await check('maxRisk', 'asc', 15);
    assert.equal(all.labels.length, objects.length);

    const csv = await download(page, page.locator(`[data-chart="${kind}"] [data-export="csv"]`));
    assert.match(csv.name, new RegExp(`^${kind}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const rows = parseCsv(csv.bytes);
    assert.deepEqual(rows[0], ['uuid', 'label', 'averageRate', 'count', 'maxRisk']);
    const want = topObjects(objects, 'maxRisk', 'asc', 15);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), want.map((o) => o.object));
    assert.deepEqual(rows.slice(1).map((r) => r[1]), want.map((o) => labelFor(o.labels, 'en', o.object)));
    assertClose(rows.slice(1).map((r) => Number(r[4])), want.map((o) => o.averages.maxRisk), 'csv maxRisk');

    const png = await download(page, page.locator(`[data-chart="${kind}"] [data-export="png"]`));
    assert.match(png.name, /\.png$/);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.bytes.length > 2000);
    assertClean(assert, browser.watch);
  });
}

test('the scope changes the analyses taken into account', async () => {
  const page = await openDashboard();
  assert.equal(await cardState(page, 'threats'), 'ready');
  for (const scope of ['90', '30', 'last']) {
    await page.selectOption('#scope', scope);
    assert.equal(await cardState(page, 'threats'), 'ready');
    const want = topObjects(objectAverages(selectStats(clients, 'threat', scope)), 'averageRate', 'desc', 10);
    const chart = await chartData(page, '#threats-chart');
    assert.deepEqual(chart.labels, want.map((o) => labelFor(o.labels, 'en', o.object)), scope);
    assertClose(chart.datasets[0].data, want.map((o) => o.averages.averageRate), scope);
  }
  // Over 90 days the generated threat has three occurrences: (3.5 + 4 + 4.5) / 3.
  const ninety = objectAverages(selectStats(clients, 'threat', '90')).find((o) => o.object === GENERATED_THREAT);
  assert.equal(ninety.averages.averageRate, 4);
  assertClean(assert, browser.watch);
});

test('risks: informational and operational by level, current and residual', async () => {
  const page = await openDashboard();
  await page.click('#tab-risks');
  const want = riskAverages(selectStats(clients, 'risk', 'last'));
  for (const kind of ['informational', 'operational']) {
    assert.equal(await cardState(page, `risks-${kind}`), 'ready');
    const chart = await chartData(page, `#risks-${kind}-chart`);
    assert.deepEqual(chart.labels, ['Low risks', 'Medium risks', 'High risks']);
    assert.deepEqual(chart.datasets.map((d) => d.label), ['Current', 'Residual']);
    for (const [i, state] of ['current', 'residual'].entries()) {
      assertClose(chart.datasets[i].data, ['Low risks', 'Medium risks', 'High risks'].map((l) => want[state][kind][l]), `${kind} ${state}`);
    }
    const rows = parseCsv((await download(page, page.locator(`[data-chart="risks-${kind}"] [data-export="csv"]`))).bytes);
    assert.deepEqual(rows[0], ['level', 'current', 'residual']);
    assert.equal(rows.length, 4);
    assertClose(rows.slice(1).map((r) => Number(r[1])), ['Low risks', 'Medium risks', 'High risks'].map((l) => want.current[kind][l]), 'csv');
  }
  assertClean(assert, browser.watch);
});

test('risk map: the summed matrix, by kind and state', async () => {
  const page = await openDashboard();
  await page.click('#tab-riskmap');
  assert.equal(await cardState(page, 'riskmap'), 'ready');
  const stats = selectStats(clients, 'cartography', 'last');
  for (const [kind, state, scale] of [['informational', 'current', 'likelihood'], ['operational', 'residual', 'probability']]) {
    await page.selectOption('#riskmap-kind', kind);
    await page.selectOption('#riskmap-state', state);
    const table = await page.$eval('.heatmap', (t) => ({
      columns: Array.from(t.tHead.rows[0].cells).slice(1).map((c) => c.textContent),
      rows: Array.from(t.tBodies[0].rows, (r) => Array.from(r.cells, (c) => c.textContent)),
    }));
    const columns = cartographyScale(stats, scale);
    const impacts = cartographyScale(stats, 'impact').reverse();
    assert.deepEqual(table.columns, columns.map(String), kind);
    assert.deepEqual(table.rows.map((r) => r[0]), impacts.map(String), kind);
    for (const [r, impact] of impacts.entries()) {
      assert.deepEqual(table.rows[r].slice(1).map(Number), columns.map((c) => cartographyCell(stats, state, kind, impact, c)), `${kind} ${state} impact ${impact}`);
    }
    const rows = parseCsv((await download(page, page.locator('[data-chart="riskmap"] [data-export="csv"]'))).bytes);
    assert.deepEqual(rows[0], ['impact', ...columns.map(String)]);
    assert.deepEqual(rows.slice(1).map((row) => row.map(Number)), table.rows.map((row) => row.map(Number)));
  }
  // Current informational risks, impact 2, likelihood 2: 3 in one analysis (a row
  // written as an object), 4 in the other (a row written as a list).
  await page.selectOption('#riskmap-kind', 'informational');
  await page.selectOption('#riskmap-state', 'current');
  assert.equal(cartographyCell(stats, 'current', 'informational', 2, 2), 7);
  const png = await download(page, page.locator('[data-chart="riskmap"] [data-export="png"]'));
  assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
  assertClean(assert, browser.watch);
});

test('compliance: current level and target per category', async () => {
  const page = await openDashboard();
  await page.click('#tab-compliance');
  assert.equal(await cardState(page, 'compliance'), 'ready');
  const options = await page.$$eval('#compliance-referential option', (o) => o.map((x) => x.textContent));
  assert.deepEqual(options, ['ISO 27002']);
  const chart = await chartData(page, '#compliance-chart');
  assert.deepEqual(chart.labels, ['Information security policies', 'Organization of information security', 'Human resource security']);
  assert.deepEqual(chart.datasets.map((d) => d.label), ['Current level', 'Target']);
  assertClose(chart.datasets[0].data, [50, 48, 60], 'current %');
  assertClose(chart.datasets[1].data, [100, 71, 100], 'target %');
  const rows = parseCsv((await download(page, page.locator('[data-chart="compliance"] [data-export="csv"]'))).bytes);
  assert.deepEqual(rows[0], ['category', 'current', 'target', 'controls']);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), chart.labels);
  assertClose(rows.slice(1).map((r) => Number(r[1])), [0.5, 0.48, 0.6], 'csv current');
  assertClose(rows.slice(1).map((r) => Number(r[3])), [2, 7, 6], 'csv controls');
  assertClean(assert, browser.watch);
});

test('the language switch translates the page and the names of threats', async () => {
  const page = await openDashboard();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await Promise.all([page.waitForURL(/lang=fr/), page.click('.lang-switch a[hreflang="fr"]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('h1'), 'Paysage actuel de la cybersécurité');
  assert.equal(await page.textContent('#tab-threats'), 'Principales menaces');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const objects = objectAverages(selectStats(clients, 'threat', 'last'));
  const chart = await chartData(page, '#threats-chart');
  const want = topObjects(objects, 'averageRate', 'desc', 10);
  assert.deepEqual(chart.labels, want.map((o) => labelFor(o.labels, 'fr', o.object)));
  assert.ok(chart.labels.includes("Erreur d'utilisation"));
  assert.ok(chart.labels.includes('Generated threat'), 'no French name: the English one');
  assert.equal(chart.datasets[0].label, 'Probabilité');
  // The choice is remembered on the other pages.
  await page.goto(server.url + '/help');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await Promise.all([page.waitForURL(/lang=de/), page.click('.lang-switch a[hreflang="de"]')]);
  assert.equal(await page.textContent('h1'), 'Wie die Diagramme zu lesen sind');
  await page.goto(server.url + '/?lang=nl');
  assert.equal(await cardState(page, 'threats'), 'ready');
  assert.ok((await chartData(page, '#threats-chart')).labels.includes('Gebruiksfout'));
  await page.goto(server.url + '/?lang=en');
  assertClean(assert, browser.watch);
});

test('keyboard: skip link first, tabs reachable', async () => {
  const page = await openDashboard();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main');
  await page.focus('#tab-threats');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-vulnerabilities');
  assert.equal(await page.getAttribute('#tab-vulnerabilities', 'aria-selected'), 'true');
  assertClean(assert, browser.watch);
});
