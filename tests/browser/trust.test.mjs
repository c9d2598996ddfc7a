// trust.test.mjs — what the landscape's figures rest on, in headless
// Chromium (docs/privacy.md, "On the pages"): each card's sample sizes, each
// item's "found in N analyses" and its trend against the previous period in
// the tooltip and the table of figures, and the "minimum analyses" control
// sending min_analyses and kept in the permalink.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {assertClean, cardState, chartData, useLoadedServer} from './harness.mjs';

// Named by both sharing organisations, with a figure in the previous 30 days (harness.mjs).
const EAVESDROPPING_LABEL = 'Eavesdropping';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture));

async function json(path) {
  return (await fetch(server.url + path)).json();
}

test('each card says what it rests on', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/?lang=en');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const threats = await json('/stats/threats.json?last_stats=1');
  const shown = threats.slice().sort((a, b) => b.averages.averageRate - a.averages.averageRate).slice(0, 10);
  const least = (key) => Math.min(...shown.map((o) => o[key]));
  const sample = await page.locator('[data-chart="threats"] .chart-sample').textContent();
  assert.match(sample, new RegExp(`^${shown.length} items shown, each found in at least ${least('analyses')} analyses ` +
    `from at least ${least('organisations')} organisations; data up to `));
  const risks = await json('/stats/risks.json?last_stats=1');
  await page.click('#tab-risks');
  assert.equal(await cardState(page, 'risks-informational'), 'ready');
  assert.match(await page.locator('[data-chart="risks-informational"] .chart-sample').textContent(),
    new RegExp(`^${risks.analyses} analyses from ${risks.organisations} organisations, data up to \\w`));
  assertClean(assert, browser.watch);
});

test('found in N analyses and the trend, in the table of figures', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/?lang=en#scope=30&threats.metric=count');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const threats = await json('/stats/threats.json?days=30');
  const eavesdropping = threats.find((o) => o.labels.label2 === EAVESDROPPING_LABEL);
  assert.deepEqual(eavesdropping.previous && eavesdropping.previous.count, 2);
  const row = page.locator('[data-chart="threats"] .figures-table tr', {hasText: EAVESDROPPING_LABEL});
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[1], String(eavesdropping.analyses));
  assert.equal(cells[2], (eavesdropping.averages.count > 2 ? '▲ up from 2' : '▼ down from 2'));
  const noPrevious = threats.find((o) => o.previous === null);
  const label = noPrevious.labels.label2;
  const other = await page.locator('[data-chart="threats"] .figures-table tr', {hasText: label}).first().locator('td').allTextContents();
  assert.equal(other[2], '', 'no trend without a previous figure');
  // The tooltip of the bar says the same.
  const tooltip = await page.$eval('#threats-chart', (canvas, name) => {
    const chart = window.Chart.getChart(canvas);
    const index = chart.data.labels.indexOf(name);
    const callbacks = chart.options.plugins.tooltip.callbacks;
    const item = {dataIndex: index, raw: chart.data.datasets[0].data[index]};
    return [callbacks.label(item), callbacks.afterLabel(item)];
  }, EAVESDROPPING_LABEL);
  assert.match(tooltip[0], /▲ up from 2$/);
  assert.equal(tooltip[1], `Found in ${eavesdropping.analyses} analyses from ${eavesdropping.organisations} organisations`);
  assertClean(assert, browser.watch);
});

test('the minimum analyses control sends min_analyses and stays in the link', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/?lang=en');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const before = (await chartData(page, '#threats-chart')).labels.length;
  const requested = page.waitForRequest((r) => r.url().includes('/stats/threats.json') && r.url().includes('min_analyses=3'));
  await page.selectOption('#threats-min-analyses', '3');
  await requested;
  await page.waitForFunction(() => document.querySelector('[data-chart="threats"]').dataset.state !== 'loading');
  const want = (await json('/stats/threats.json?last_stats=1&min_analyses=3')).length;
  assert.ok(want > 0 && want < before, `${want} of ${before}`);
  assert.equal((await chartData(page, '#threats-chart')).labels.length, Math.min(want, 10));
  assert.equal(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('threats.min_analyses'), '3');
  await page.reload();
  assert.equal(await cardState(page, 'threats'), 'ready');
  assert.equal(await page.inputValue('#threats-min-analyses'), '3');
  assert.equal((await chartData(page, '#threats-chart')).labels.length, Math.min(want, 10));
  await page.selectOption('#threats-min-analyses', '25');
  await page.waitForFunction(() => document.querySelector('[data-chart="threats"]').dataset.state === 'empty');
  assert.match(await page.locator('[data-chart="threats"] .empty-state').textContent(), /No item is found in at least 25 analyses/);
  assertClean(assert, browser.watch);
});
