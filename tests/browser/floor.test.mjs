// floor.test.mjs — the pages under the privacy floor (docs/privacy.md), in
// headless Chromium: with two sharing organisations and MIN_ORGANISATIONS=3,
// the risk charts, the risk map and the risks' evolution say that not enough
// organisations share yet (not "no statistics", not an error), and no figure
// of theirs is drawn.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {assertClean, cardState, useLoadedServer} from './harness.mjs';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture), {MIN_ORGANISATIONS: '3'});

async function floorText(page, name) {
  return page.locator(`[data-chart="${name}"]`).textContent();
}

test('the landscape: risks and the risk map below the floor, explained', async () => {
  const risks = await (await fetch(server.url + '/stats/risks.json')).json();
  assert.deepEqual(Object.keys(risks), ['analyses', 'organisations', 'data_up_to']);
  assert.equal(risks.organisations, 2);
  const page = await browser.page();
  await page.goto(server.url + '/?lang=en');
  // The generated organisation sends no cartography: the risk map rests on one.
  const cartography = await (await fetch(server.url + '/stats/cartography.json')).json();
  assert.equal(cartography.organisations, 1);
  for (const [name, count] of [['risks-informational', 2], ['risks-operational', 2], ['riskmap', 1]]) {
    assert.equal(await cardState(page, name), 'floor', name);
    const text = await floorText(page, name);
    assert.ok(text.includes('Not enough organisations share these statistics yet (at least 3 are needed so that none can be recognised).'), name);
    assert.ok(text.includes(`${count} so far.`), name);
    assert.equal(await page.locator(`[data-chart="${name}"] canvas`).first().isVisible(), false, name);
  }
  assertClean(assert, browser.watch);
});

test('lists the floor emptied say so, not "no statistics"; the pages name the floor', async () => {
  assert.deepEqual(await (await fetch(server.url + '/stats/threats.json?last_stats=1')).json(), []);
  const page = await browser.page();
  await page.goto(server.url + '/?lang=en');
  for (const name of ['threats', 'vulnerabilities', 'compliance']) {
    assert.equal(await cardState(page, name), 'floor', name);
    assert.match(await floorText(page, name), /at least 3 are needed so that none can be recognised/, name);
    assert.doesNotMatch(await floorText(page, name), /No statistics yet/, name);
  }
  assert.match(await page.locator('.page-head .lead').textContent(), /at least 3 organisations/);
  await page.goto(server.url + '/help?lang=de');
  assert.match(await page.locator('main').textContent(), /mindestens 3 Organisationen/);
  assertClean(assert, browser.watch);
});

test('the evolution of risks below the floor, in French', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution?lang=fr');
  assert.equal(await cardState(page, 'evolution-risks'), 'floor');
  assert.match(await floorText(page, 'evolution-risks'), /Pas encore assez d'organisations/);
  assertClean(assert, browser.watch);
});
