// map.test.mjs — the /map/ page in headless Chromium: the country outlines
// shipped with the service are drawn with no request off 127.0.0.1, one
// marker per area of sharing clients with a position (each client alone
// without the privacy floor; none below it), its number of organisations,
// popups and the table naming their most frequent threat and vulnerability in
// the reader's language.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  assertClean, labelFor, loadData, openBrowser, requireStatsEndpoints, startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  await loadData(server);
  await requireStatsEndpoints(server);
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openMap(query = '') {
  const page = await browser.page();
  await page.goto(server.url + '/map/' + query);
  await page.waitForFunction(() => {
    const map = document.getElementById('map');
    return map.dataset.state !== 'loading' && Number(map.dataset.outlines) > 0;
  });
  return page;
}

for (const lang of ['en', 'fr']) {
  test(`markers, popups and table (${lang})`, async () => {
    const clients = await (await fetch(server.url + '/map/clients.json')).json();
    assert.equal(clients.length, 2, 'the two sharing clients with a position');
    const page = await openMap(`?lang=${lang}`);
    assert.equal(await page.getAttribute('#map', 'data-state'), 'ready');
    assert.ok(Number(await page.getAttribute('#map', 'data-outlines')) > 100, 'country outlines drawn');
    assert.equal(await page.locator('.client-marker').count(), clients.length);
    assert.deepEqual(await page.$$eval('.client-marker', (ms) => ms.map((m) => m.textContent)), ['1', '1']);
    const rows = await page.$$eval('#map-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.equal(rows.length, clients.length);
    clients.forEach((client, i) => {
      assert.equal(rows[i][1], '1');
      assert.ok(rows[i][2].startsWith(labelFor(client.max_threat_labels, lang, client.max_threat[1])), rows[i][2]);
      assert.ok(rows[i][3].startsWith(labelFor(client.max_vulnerability_labels, lang, client.max_vulnerability[1])), rows[i][3]);
    });
    // Keyboard: a marker takes the focus and opens its popup with Enter.
    await page.locator('.client-marker').first().focus();
    await page.keyboard.press('Enter');
    const popup = await page.locator('.leaflet-popup-content').textContent();
    assert.ok(popup.includes(labelFor(clients[0].max_threat_labels, lang, '')), popup);
    assertClean(assert, browser.watch);
  });
}

test('below the privacy floor no marker and no row, and the page says why', async () => {
  const floored = await startServer({MIN_ORGANISATIONS: '3'});
  const other = await openBrowser();
  try {
    await loadData(floored);
    assert.deepEqual(await (await fetch(floored.url + '/map/clients.json')).json(), []);
    const page = await other.page();
    await page.goto(floored.url + '/map/?lang=en');
    await page.waitForFunction(() => document.getElementById('map').dataset.state === 'empty');
    assert.equal(await page.locator('.client-marker').count(), 0);
    assert.equal(await page.locator('#map-table tbody tr').count(), 0);
    assert.match(await page.locator('#map-empty').textContent(), /Not enough organisations/);
    assert.match(await page.locator('.lead').textContent(), /fewer than 3 of them/);
    assertClean(assert, other.watch);
  } finally {
    await other.close();
    await floored.stop();
  }
});

test('online tiles only when MAP_TILES_URL is set, and then only from there', async () => {
  const tiled = await startServer({MAP_TILES_URL: 'https://{s}.tiles.example.net/{z}/{x}/{y}.png'});
  const other = await openBrowser();
  try {
    const page = await other.page();
    await page.goto(tiled.url + '/map/');
    await page.waitForFunction(() => Number(document.getElementById('map').dataset.outlines) > 0);
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile').length > 0);
    assert.ok(other.watch.external.length > 0);
    assert.ok(other.watch.external.every((u) => /^https:\/\/[abc]\.tiles\.example\.net\/\d+\/\d+\/\d+\.png$/.test(u)), other.watch.external[0]);
  } finally {
    await other.close();
    await tiled.stop();
  }
  assert.deepEqual(browser.watch.external, []);
});

test('the offline map opens with country names around the markers; popups in the site font', async () => {
  const page = await openMap('?lang=en');
  // The view fits the markers (Luxembourg and Brussels) with their neighbours named.
  const named = () => page.$$eval('.country-name', (labels) => {
    const map = document.getElementById('map').getBoundingClientRect();
    return labels.map((l) => ({text: l.textContent, box: l.firstElementChild.getBoundingClientRect()}))
      .filter(({box}) => box.left >= map.left && box.right <= map.right && box.top >= map.top && box.bottom <= map.bottom)
      .map(({text}) => text);
  });
  const names = await named();
  assert.ok(['Belgium', 'Germany', 'Netherlands'].every((n) => names.includes(n)), names.join(', '));
  assert.ok(!names.includes('Spain'), 'not a view of the whole continent');
  await page.locator('.client-marker').first().focus();
  await page.keyboard.press('Enter');
  const fonts = await page.$eval('.leaflet-popup-content', (popup) => [getComputedStyle(popup).fontFamily, getComputedStyle(document.body).fontFamily]);
  assert.equal(fonts[0], fonts[1]);
  assert.match(fonts[0], /^Inter/);
  assertClean(assert, browser.watch);
});
