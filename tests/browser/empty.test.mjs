// empty.test.mjs — a new instance with no statistics: every chart shows a
// friendly "no statistics yet", never a broken chart, and nothing errs.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {assertClean, cardState, openBrowser, requireStatsEndpoints, startServer} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  await requireStatsEndpoints(server);
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function assertEmpty(page, name) {
  assert.equal(await cardState(page, name), 'empty', name);
  const card = page.locator(`[data-chart="${name}"]`);
  assert.match(await card.locator('.empty-state').textContent(), /No statistics yet\./);
  assert.equal(await card.locator('.empty-state').isVisible(), true);
  for (const button of await card.locator('[data-export]').all()) {
    assert.equal(await button.isDisabled(), true);
  }
  const canvas = card.locator('canvas');
  if (await canvas.count()) {
    assert.equal(await canvas.evaluate((c) => window.Chart.getChart(c) === undefined), true, `${name}: no chart drawn`);
  }
}

test('the landscape page without statistics', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  for (const [tab, names] of [['#tab-threats', ['threats']], ['#tab-vulnerabilities', ['vulnerabilities']],
                              ['#tab-risks', ['risks-informational', 'risks-operational']],
                              ['#tab-riskmap', ['riskmap']], ['#tab-compliance', ['compliance']]]) {
    await page.click(tab);
    for (const name of names) {
      await assertEmpty(page, name);
    }
  }
  await page.goto(server.url + '/?lang=fr');
  assert.equal(await cardState(page, 'threats'), 'empty');
  assert.match(await page.locator('[data-chart="threats"] .empty-state').textContent(), /Pas encore de statistiques\./);
  await page.goto(server.url + '/?lang=en');
  assertClean(assert, browser.watch);
});

test('the evolution page without statistics', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  for (const name of ['evolution-threats', 'evolution-vulnerabilities', 'evolution-risks']) {
    await assertEmpty(page, name);
  }
  assertClean(assert, browser.watch);
});

test('the map without clients', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/map/');
  await page.waitForFunction(() => document.getElementById('map').dataset.state === 'empty');
  assert.equal(await page.isVisible('#map-empty'), true);
  assert.match(await page.textContent('#map-empty'), /Not enough organisations have shared their position yet\./);
  assert.equal(await page.locator('.client-marker').count(), 0);
  await page.waitForFunction(() => Number(document.getElementById('map').dataset.outlines) > 100);
  assertClean(assert, browser.watch);
});
