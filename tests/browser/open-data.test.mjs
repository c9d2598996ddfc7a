// open-data.test.mjs — the /open-data page in headless Chromium: reached from
// every page's menu in the four languages, every dataset listed with its files,
// its period and the date it was generated, the licence the operator set, a
// CSV downloaded from it holding what the JSON holds; axe on desktop and phone.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {PHONE, assertClean, axeViolations, download, openBrowser, parseCsv, useLoadedServer} from './harness.mjs';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture), {DATA_LICENSE: 'Licence Ouverte 2.0'});

const DATASETS = ['threats', 'vulnerabilities', 'risks', 'cartography', 'compliance', 'map'];
const generated = (page) => page.waitForFunction(() =>
  Array.from(document.querySelectorAll('#open-data .generated')).every((cell) => cell.textContent !== ''));

test('every page\'s menu leads to the open data, in each language', async () => {
  const page = await browser.page();
  for (const [lang, name, heading] of [['en', 'Open data', 'Open data'], ['fr', 'Données ouvertes', 'Données ouvertes'],
                                       ['de', 'Offene Daten', 'Offene Daten'], ['nl', 'Open data', 'Open data']]) {
    await page.goto(server.url + '/evolution?lang=' + lang);
    const link = page.locator('.site-nav a[href="/open-data"]');
    assert.equal((await link.textContent()).trim(), name, lang);
    await Promise.all([page.waitForURL(/\/open-data$/), link.click()]);
    assert.equal(await page.textContent('h1'), heading, lang);
    assert.equal(await page.getAttribute('.site-nav a[href="/open-data"]', 'aria-current'), 'page');
    await generated(page);   // its requests done before the next page
  }
  assertClean(assert, browser.watch);
});

test('the datasets: files, period, generation date, licence', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/open-data?lang=en');
  assert.deepEqual(await page.$$eval('#open-data tr[data-dataset]', (rows) => rows.map((r) => r.dataset.dataset)), DATASETS);
  assert.equal(await page.textContent('#data-license'), 'Licence Ouverte 2.0');
  await generated(page);
  for (const dataset of DATASETS) {
    const row = page.locator(`#open-data tr[data-dataset="${dataset}"]`);
    assert.equal(await row.locator('td').first().textContent(), 'The latest statistics of each analysis');
    // The generation date is the answer's Last-Modified: the server made it a moment ago.
    const made = new Date(await row.locator('.generated').getAttribute('data-generated'));
    assert.ok(Math.abs(Date.now() - made.getTime()) < 10 * 60 * 1000, `${dataset}: ${made}`);
    const json = row.locator('a[data-format="json"]');
    assert.equal((await fetch(server.url + await json.getAttribute('href'))).status, 200);
  }
  // A CSV downloaded from the page: the threats the JSON lists, with their sample sizes.
  const file = await download(page, page.locator('tr[data-dataset="threats"] a[data-format="csv"]'));
  assert.equal(file.name, 'threats-latest.csv');
  const rows = parseCsv(file.bytes);
  const threats = await (await fetch(server.url + '/stats/threats.json?last_stats=1')).json();
  assert.deepEqual(rows.slice(1).map((r) => r[0]), threats.map((o) => o.object));
  assert.deepEqual(rows.slice(1).map((r) => Number(r[8])), threats.map((o) => o.analyses));
  assertClean(assert, browser.watch);
});

test('axe: no serious or critical violation on the open data page, desktop and phone, light and dark', async () => {
  const phone = await openBrowser({viewport: PHONE, mobile: true});
  try {
    for (const context of [browser, phone]) {
      const page = await context.page();
      for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({colorScheme});
        await page.goto(server.url + '/open-data');
        await generated(page);
        assert.deepEqual(await axeViolations(page), [], colorScheme);
      }
      // Nothing wider than the screen on a phone.
      if (context === phone) {
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
      }
      await page.emulateMedia({colorScheme: 'light'});
      assertClean(assert, context.watch);
    }
  } finally {
    await phone.close();
  }
});
