// permalink.test.mjs — every view's state in the URL, in headless Chromium:
// tab, period, top N, metric, order, referential and picks written in the
// fragment as they change, restored on load, kept by the language switch,
// and copied by each chart's "Copy link" button.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {GENERATED_THREAT, assertClean, cardState, chartData, useLoadedServer} from './harness.mjs';

let server;
let clients;
let browser;

useLoadedServer(async (fixture) => {
  ({server, clients, browser} = fixture);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: server.url});
});

/* What the landscape shows: the active tab, the values of its selects, the vulnerabilities chart. */
async function landscapeView(page) {
  assert.equal(await cardState(page, 'vulnerabilities'), 'ready');
  return {
    tab: await page.$eval('#dashboard-tabs .active', (b) => b.id),
    selects: await page.$$eval('#scope, #vulnerabilities-top, #vulnerabilities-metric, #vulnerabilities-order',
      (selects) => selects.map((s) => s.value)),
    labels: (await chartData(page, '#vulnerabilities-chart')).labels.length,
  };
}

test('the landscape: its state in the URL, after a reload, a language switch and a copied link', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  assert.equal(await cardState(page, 'threats'), 'ready');
  assert.equal(new URL(page.url()).hash, '', 'the default view has no state to write');
  await page.selectOption('#scope', '90');
  await page.click('#tab-vulnerabilities');
  await page.selectOption('#vulnerabilities-top', '5');
  await page.selectOption('#vulnerabilities-metric', 'count');
  await page.selectOption('#vulnerabilities-order', 'asc');
  const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.deepEqual(Object.fromEntries(hash), {
    scope: '90', tab: 'vulnerabilities', 'vulnerabilities.metric': 'count', 'vulnerabilities.order': 'asc', 'vulnerabilities.top': '5',
  });
  const want = await landscapeView(page);
  assert.deepEqual(want.tab, 'tab-vulnerabilities');

  await page.reload();
  assert.deepEqual(await landscapeView(page), want, 'after a reload');

  await Promise.all([page.waitForURL(/lang=fr/), page.click('.lang-switch a[hreflang="fr"]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.deepEqual(await landscapeView(page), want, 'in French');

  await page.click('[data-chart="vulnerabilities"] [data-copy-link]');
  // The status is written once the clipboard's promise settles, after the click returns.
  const status = await page.waitForSelector('[data-chart="vulnerabilities"] .copy-status:not(:empty)');
  assert.equal(await status.textContent(), 'Lien vers cette vue copié.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, page.url());
  const other = await browser.context.newPage();
  await other.goto(copied);
  assert.deepEqual(await landscapeView(other), want, 'from the copied link');
  await other.close();
  // Another state followed within the page (a link to #…) shows that view.
  await Promise.all([page.waitForEvent('load'), page.evaluate(() => { location.hash = 'tab=risks'; })]);
  assert.equal(await cardState(page, 'risks-informational'), 'ready');
  assert.equal(await page.$eval('#dashboard-tabs .active', (b) => b.id), 'tab-risks');
  assert.equal(await page.inputValue('#scope'), 'last');
  await page.goto(server.url + '/?lang=en');
  assertClean(assert, browser.watch);
});

test('the evolution page: period, metric and picks in the URL', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  await page.selectOption('#period', '90');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  await page.selectOption('#evolution-threats-metric', 'maxRisk');
  await page.click('[data-chart="evolution-threats"] summary');
  for (const value of await page.$$eval('[data-chart="evolution-threats"] .object-list input:checked', (l) => l.map((i) => i.value))) {
    if (value !== GENERATED_THREAT) {
      await page.uncheck(`[data-chart="evolution-threats"] input[value="${value}"]`);
    }
  }
  const hash = Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.slice(1)));
  assert.deepEqual(hash, {period: '90', 'evolution-threats.metric': 'maxRisk', 'evolution-threats.picks': GENERATED_THREAT});
  await page.goto(server.url + '/evolution?lang=de' + new URL(page.url()).hash);
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  assert.equal(await page.inputValue('#period'), '90');
  assert.equal(await page.inputValue('#evolution-threats-metric'), 'maxRisk');
  const lines = await page.$eval('#evolution-threats-chart', (c) => window.Chart.getChart(c).data.datasets.map((d) => d.label));
  assert.deepEqual(lines, ['Generated threat']);
  await page.goto(server.url + '/evolution?lang=en');
  assertClean(assert, browser.watch);
});

test('compliance opens on the referential most analyses use, unless the URL names another', async () => {
  // Two more analyses of "Generated Org" use a referential of their own: it
  // is listed after ISO 27002 (by name and by uuid) but used by more analyses.
  const generated = clients['Generated Org'];
  const category = (value) => ({label1: 'Zêta', label2: 'Zeta category', label3: 'Zeta', label4: 'Zeta',
    controls: [{code: 'Z.1', measure: 'c0ffee00-0000-4000-8000-0000000000f1', value}], value});
  const referential = {referential: 'ffffffff-0000-4000-8000-000000000001', label1: 'Zeta référentiel', label2: 'Zeta referential',
    label3: 'Zeta Referenz', label4: 'Zeta referentiekader', current: [category('0.20')], target: [category('0.90')]};
  const stats = ['aaaaaaaa-1111-4222-8333-444444444441', 'aaaaaaaa-1111-4222-8333-444444444442'].map((anr) =>
    ({anr, type: 'compliance', date: new Date().toISOString().slice(0, 10), data: [referential]}));
  const posted = await server.api('POST', '/api/v1/stats/', {body: stats, token: generated.token});
  assert.equal(posted.status, 201, JSON.stringify(posted.json));
  const page = await browser.page();
  await page.goto(server.url + '/#tab=compliance');
  assert.equal(await cardState(page, 'compliance'), 'ready');
  assert.deepEqual(await page.$$eval('#compliance-referential option', (o) => o.map((x) => x.textContent)), ['ISO 27002', 'Zeta referential']);
  assert.equal(await page.inputValue('#compliance-referential'), referential.referential);
  assert.equal(new URL(page.url()).hash, '#tab=compliance');
  await page.selectOption('#compliance-referential', '98ca84fb-db87-11e8-ac77-0800279aaa2b');
  assert.match(page.url(), /compliance\.referential=98ca84fb/);
  await page.reload();
  assert.equal(await cardState(page, 'compliance'), 'ready');
  assert.equal(await page.inputValue('#compliance-referential'), '98ca84fb-db87-11e8-ac77-0800279aaa2b');
  assertClean(assert, browser.watch);
});
