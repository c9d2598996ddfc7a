// states.test.mjs — the cards around their figures, in headless Chromium: a
// loading state announced to screen readers, an error state with a button
// that loads again, and each chart's figures as a table (its text
// alternative, opened with the keyboard) holding the numbers it draws.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {assertClean, cardState, useLoadedServer} from './harness.mjs';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture));

test('loading is shown and announced; an error offers to try again', async () => {
  const page = await browser.page();
  // Hold the first answer of threats.json back, then make the second one fail.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let calls = 0;
  await page.route('**/stats/threats.json*', async (route) => {
    calls += 1;
    if (calls === 1) {
      await held;
      return route.abort();
    }
    return route.continue();
  });
  await page.goto(server.url + '/');
  const status = page.locator('[data-chart="threats"] .chart-loading[role="status"]');
  await page.waitForFunction(() => document.querySelector('[data-chart="threats"] .chart-loading[role="status"]')?.textContent === 'Loading…');
  assert.equal(await page.getAttribute('[data-chart="threats"]', 'data-state'), 'loading');
  assert.equal(await status.isVisible(), true);
  release();
  assert.equal(await cardState(page, 'threats'), 'error');
  assert.equal(await status.textContent(), '');
  assert.match(await page.textContent('[data-chart="threats"] .empty-state'), /could not be loaded/);
  // The other cards do not suffer from it.
  await page.click('#tab-vulnerabilities');
  assert.equal(await cardState(page, 'vulnerabilities'), 'ready');
  await page.click('#tab-threats');
  const retry = page.locator('[data-chart="threats"] .empty-state button');
  assert.equal(await retry.textContent(), 'Try again');
  await retry.focus();
  await page.keyboard.press('Enter');
  assert.equal(await cardState(page, 'threats'), 'ready');
  assert.equal(calls, 2);
  await page.unroute('**/stats/threats.json*');
  browser.watch.errors.length = 0;   // the aborted request, on purpose
  assertClean(assert, browser.watch);
});

/* The table of figures of a card, opened from the keyboard: head and rows of text. */
async function figures(page, name) {
  const summary = page.locator(`[data-chart="${name}"] .chart-figures summary`);
  if (!(await page.getAttribute(`[data-chart="${name}"] .chart-figures`, 'open'))) {
    await summary.focus();
    await page.keyboard.press('Enter');
  }
  return page.$eval(`[data-chart="${name}"] .chart-figures table`, (table) => ({
    caption: table.caption.textContent,
    head: Array.from(table.tHead.rows[0].cells, (c) => c.textContent),
    rows: Array.from(table.tBodies[0].rows, (r) => Array.from(r.cells, (c) => c.textContent)),
  }));
}

test('each chart has its figures as a table, the same numbers as drawn', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  const format = new Intl.NumberFormat('en', {maximumFractionDigits: 2});
  const charts = [['threats', '#tab-threats', ''], ['vulnerabilities', '#tab-vulnerabilities', ''],
    ['risks-informational', '#tab-risks', ''], ['risks-operational', '#tab-risks', ''], ['compliance', '#tab-compliance', ' %']];
  for (const [name, tab, suffix] of charts) {
    await page.click(tab);
    assert.equal(await cardState(page, name), 'ready');
    const chart = await page.$eval(`[data-chart="${name}"] canvas`, (c) => {
      const data = window.Chart.getChart(c).data;
      return {labels: data.labels, datasets: data.datasets.map((d) => ({label: d.label, data: d.data}))};
    });
    const table = await figures(page, name);
    assert.equal(table.caption, await page.textContent(`[data-chart="${name}"] h2`));
    // Threats and vulnerabilities add what each item rests on and its trend (trust.test.mjs).
    const drawn = table.head.length - (['threats', 'vulnerabilities'].includes(name) ? 2 : 0);
    assert.deepEqual(table.head.slice(0, drawn), [''].concat(chart.datasets.map((d) => d.label)), name);
    assert.deepEqual(table.rows.map((row) => row.slice(0, drawn)), chart.labels.map((label, i) =>
      [label].concat(chart.datasets.map((d) => format.format(d.data[i]) + suffix))), name);
  }
  // Another choice, another table.
  await page.click('#tab-threats');
  await page.selectOption('#threats-top', '5');
  assert.equal((await figures(page, 'threats')).rows.length, 5);

  // Lines over time: a row per date, empty where a line has no value (nothing stands there).
  await page.goto(server.url + '/evolution?lang=fr');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const lines = await page.$eval('#evolution-threats-chart', (c) =>
    window.Chart.getChart(c).data.datasets.map((d) => ({label: d.label, data: d.data})));
  const days = Array.from(new Set(lines.flatMap((l) => l.data.map((p) => p.x)))).sort((a, b) => a - b);
  const table = await figures(page, 'evolution-threats');
  const frNumber = new Intl.NumberFormat('fr', {maximumFractionDigits: 2});
  const frDate = new Intl.DateTimeFormat('fr', {year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC'});
  assert.deepEqual(table.head, ['Date'].concat(lines.map((l) => l.label)));
  assert.deepEqual(table.rows, days.map((day) => [frDate.format(new Date(day * 86400000))].concat(lines.map((l) => {
    const point = l.data.find((p) => p.x === day);
    return point && point.y !== null ? frNumber.format(point.y) : '';
  }))));
  await page.goto(server.url + '/evolution?lang=en');
  assertClean(assert, browser.watch);
});
