// map.test.mjs — the /map/ page in headless Chromium: the country outlines
// shipped with the service are drawn with no request off 127.0.0.1, one
// marker per sharing client with a position, popups and the table naming
// their most frequent threat and vulnerability in the reader's language.
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
    const rows = await page.$$eval('#map-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.equal(rows.length, clients.length);
    clients.forEach((client, i) => {
      assert.ok(rows[i][1].startsWith(labelFor(client.max_threat_labels, lang, client.max_threat[1])), rows[i][1]);
      assert.ok(rows[i][2].startsWith(labelFor(client.max_vulnerability_labels, lang, client.max_vulnerability[1])), rows[i][2]);
    });
    // Keyboard: a marker takes the focus and opens its popup with Enter.
    await page.locator('.client-marker').first().focus();
    await page.keyboard.press('Enter');
    const popup = await page.locator('.leaflet-popup-content').textContent();
    assert.ok(popup.includes(labelFor(clients[0].max_threat_labels, lang, '')), popup);
    assertClean(assert, browser.watch);
  });
}

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
