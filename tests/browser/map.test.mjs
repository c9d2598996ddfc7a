// map.test.mjs — the /map/ page in headless Chromium: the country outlines
// shipped with the service are drawn with no request off 127.0.0.1, one
// marker per area of sharing clients with a position (each client alone
// without the privacy floor; none below it), its number of organisations,
// popups and the table naming their most frequent threat and vulnerability in
// the reader's language.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {assertClean, labelFor, loadData, openBrowser, startServer, useLoadedServer} from './harness.mjs';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture));

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
    // The threat and vulnerability of an area link to their pages, in the popup and the table.
    assert.deepEqual(await page.$$eval('.leaflet-popup-content a', (as) => as.map((a) => a.getAttribute('href'))),
      ['/object/' + clients[0].max_threat[1], '/object/' + clients[0].max_vulnerability[1]]);
    assert.deepEqual(await page.$$eval('#map-table tbody tr:first-child a', (as) => as.map((a) => a.getAttribute('href'))),
      ['/object/' + clients[0].max_threat[1], '/object/' + clients[0].max_vulnerability[1]]);
    await Promise.all([page.waitForURL(/\/object\//), page.click('.leaflet-popup-content a >> nth=0')]);
    await page.waitForFunction(() => document.getElementById('object').dataset.state === 'ready');
    assert.equal(await page.textContent('h1'), labelFor(clients[0].max_threat_labels, lang, clients[0].max_threat[1]));
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

test('organisations a few hundred metres apart share a marker with their count', async () => {
  const near = await startServer();
  const other = await openBrowser();
  try {
    const clients = await loadData(near);
    // "Nearby Org": 400 m north of "Fixture Org" in Luxembourg, sharing the same kind of stats.
    const created = await near.api('POST', '/api/v1/client/', {body: {name: 'Nearby Org', is_sharing_enabled: true}});
    assert.equal(created.status, 201);
    near.cli('client', 'coordinates-set', '--uuid', created.json.uuid, '--latitude', '49.6136', '--longitude', '6.13');
    const stats = clients['Fixture Org'].stats.filter((s) => s.type === 'threat' || s.type === 'vulnerability')
      .map((s) => ({...s, anr: 'eeeeeeee' + s.anr.slice(8)}));
    assert.equal((await near.api('POST', '/api/v1/stats/', {body: stats, token: created.json.token})).status, 201);
    const areas = await (await fetch(near.url + '/map/clients.json')).json();
    assert.equal(areas.length, 3, 'three areas: each organisation alone');

    const page = await other.page();
    await page.goto(near.url + '/map/?lang=en');
    await page.waitForFunction(() => document.getElementById('map').dataset.state === 'ready');
    const counts = () => page.$$eval('.client-marker', (ms) => ms.map((m) => m.textContent).sort());
    assert.deepEqual(await counts(), ['1', '2'], 'Luxembourg: one marker of two organisations; Brussels: one');
    assert.equal(await page.getAttribute('.client-group', 'title'), '2 organisations in 2 places close together: choose to zoom in');
    assert.equal(await page.locator('#map-table tbody tr').count(), 3, 'the table lists every area');
    // Chosen from the keyboard, the group zooms in until its organisations come apart.
    await page.locator('.client-group').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.client-group'));
    const shown = await page.$$eval('.client-marker', (ms) => {
      const map = document.getElementById('map').getBoundingClientRect();
      return ms.filter((m) => {
        const box = m.getBoundingClientRect();
        return box.left >= map.left && box.right <= map.right && box.top >= map.top && box.bottom <= map.bottom;
      }).map((m) => m.textContent);
    });
    assert.deepEqual(shown, ['1', '1']);
    assertClean(assert, other.watch);
  } finally {
    await other.close();
    await near.stop();
  }
});
