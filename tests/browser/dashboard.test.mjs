// dashboard.test.mjs — the landscape page (/) in headless Chromium, against a
// server filled with the MONARC fixture and generated data: every chart drawn
// with the right labels and values, its controls, its PNG and CSV downloads,
// the scope, the language switch; no console error, no request off 127.0.0.1.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {
  GENERATED_THREAT, PHONE, SECRET_THREAT, assertClean, cardState, chartData, daysAgo, download, labelFor,
  openBrowser, parseCsv, useLoadedServer,
} from './harness.mjs';
import {
  cartographyCell, cartographyScale, objectAverages, riskAverages, selectStats, topObjects,
} from './expected.mjs';

let server;
let clients;
let browser;

useLoadedServer((fixture) => ({server, clients, browser} = fixture));

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
    assert.equal(csv.name, `${kind}-latest-${daysAgo(0)}.csv`);
    const rows = parseCsv(csv.bytes);
    assert.deepEqual(rows[0], ['uuid', 'label', 'averageRate', 'count', 'maxRisk', 'period']);
    assert.ok(rows.slice(1).every((r) => r[5] === 'latest'));
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
    assert.deepEqual(rows[0], ['level', 'current', 'residual', 'period']);
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
    assert.deepEqual(rows[0], ['impact', ...columns.map(String), 'period']);
    assert.deepEqual(rows.slice(1).map((row) => row.slice(0, -1).map(Number)), table.rows.map((row) => row.map(Number)));
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
  // The same percentages as the chart.
  assert.deepEqual(rows[0], ['category', 'current_percent', 'target_percent', 'controls', 'period']);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), chart.labels);
  assert.deepEqual(rows.slice(1).map((r) => r.slice(1, 3)), [['50', '100'], ['48', '71'], ['60', '100']]);
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

/* A PNG's size and its iTXt texts (keyword → text). */
function pngInfo(bytes) {
  const text = {};
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'iTXt') {
      const data = bytes.subarray(at + 8, at + 8 + length);
      const keywordEnd = data.indexOf(0);
      const languageEnd = data.indexOf(0, keywordEnd + 3);
      const translatedEnd = data.indexOf(0, languageEnd + 1);
      text[data.toString('latin1', 0, keywordEnd)] = data.toString('utf8', translatedEnd + 1);
    }
    at += 12 + length;
  }
  return {width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), text};
}

test('PNG: no tooltip, a title with the period and the date, twice the resolution, the same on a phone', async () => {
  const page = await openDashboard();
  await page.selectOption('#scope', '30');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const exportButton = page.locator('[data-chart="threats"] [data-export="png"]');
  const plain = await download(page, exportButton);
  assert.equal(plain.name, `threats-30d-${daysAgo(0)}.png`);
  const info = pngInfo(plain.bytes);
  const cssWidth = await page.$eval('#threats-chart', (c) => c.getBoundingClientRect().width);
  assert.ok(info.width >= 2 * cssWidth, `${info.width}px wide for a chart of ${cssWidth}px`);
  assert.equal(info.text.Title, 'Threats met in the analyses');
  assert.match(info.text.Description, /^Last 30 days \(.+ – .+\) · generated on .+\d{4}$/);
  assert.equal(info.text['Creation Time'], daysAgo(0));

  // A pointer on a bar opens its tooltip: the image stays the same.  (A click on a
  // bar opens the object's page: objects.test.mjs.)
  const tooltipShown = () => page.$eval('#threats-chart', (c) => window.Chart.getChart(c).tooltip.getActiveElements().length > 0);
  for (let attempt = 0; attempt < 5 && !(await tooltipShown()); attempt++) {
    // Where the first bar is now (the chart may have been resized since the page settled).
    const point = await page.$eval('#threats-chart', (canvas) => {
      const bar = window.Chart.getChart(canvas).getDatasetMeta(0).data[0];
      const box = canvas.getBoundingClientRect();
      return {x: box.left + (bar.x + bar.base) / 2, y: box.top + bar.y};
    });
    await page.mouse.move(point.x, point.y);
    await page.waitForTimeout(100 * attempt);
  }
  assert.ok(await tooltipShown(), 'the tooltip is open');
  const tapped = await download(page, exportButton);
  assert.ok(tapped.bytes.equals(plain.bytes), 'the image holds no tooltip');

  // On a phone (narrow screen, short labels on the chart): the same image.
  const phone = await openBrowser({viewport: PHONE, mobile: true});
  try {
    const small = await phone.page();
    await small.goto(server.url + '/');
    await small.selectOption('#scope', '30');
    assert.equal(await cardState(small, 'threats'), 'ready');
    const fromPhone = await download(small, small.locator('[data-chart="threats"] [data-export="png"]'));
    assert.ok(fromPhone.bytes.equals(plain.bytes), 'the image does not depend on the screen');
    assertClean(assert, phone.watch);
  } finally {
    await phone.close();
  }
  assertClean(assert, browser.watch);
});

test('downloads name the period; the two risk maps have their own names; numbers without binary noise', async () => {
  const page = await openDashboard();
  await page.click('#tab-riskmap');
  assert.equal(await cardState(page, 'riskmap'), 'ready');
  const current = await download(page, page.locator('[data-chart="riskmap"] [data-export="png"]'));
  await page.selectOption('#riskmap-kind', 'operational');
  await page.selectOption('#riskmap-state', 'residual');
  const residual = await download(page, page.locator('[data-chart="riskmap"] [data-export="png"]'));
  assert.equal(current.name, `riskmap-informational-current-latest-${daysAgo(0)}.png`);
  assert.equal(residual.name, `riskmap-operational-residual-latest-${daysAgo(0)}.png`);
  assert.equal(pngInfo(current.bytes).text.Title, 'Risk map: number of risks by impact and likelihood · Information risks · Current');
  assert.ok(pngInfo(residual.bytes).width >= 2 * 640);

  await page.click('#tab-risks');
  await page.selectOption('#scope', '90');
  assert.equal(await cardState(page, 'risks-informational'), 'ready');
  const csv = await download(page, page.locator('[data-chart="risks-informational"] [data-export="csv"]'));
  assert.equal(csv.name, `risks-informational-90d-${daysAgo(0)}.csv`);
  const rows = parseCsv(csv.bytes);
  assert.ok(rows.slice(1).every((r) => r[3] === `${daysAgo(90)}/${daysAgo(0)}`), rows.map((r) => r[3]).join());
  // Means of decimals such as (0.3 + 0.6) / 3 come out of binary floating point as
  // 0.30000000000000004: the file holds the decimal the chart shows.
  const want = riskAverages(selectStats(clients, 'risk', '90'));
  for (const [r, level] of ['Low risks', 'Medium risks', 'High risks'].entries()) {
    assert.equal(rows[r + 1][1], String(Number(want.current.informational[level].toPrecision(12))));
  }
  for (const row of rows.slice(1)) {
    for (const cell of row.slice(1, 3)) {
      assert.match(cell, /^-?\d+(\.\d{1,11})?$/);
    }
  }
  assertClean(assert, browser.watch);
});
