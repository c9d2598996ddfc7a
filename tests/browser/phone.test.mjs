// phone.test.mjs — the landscape on a 375 px wide phone, in headless
// Chromium: bar labels that share their first words still differ on the
// axis (whole in the tooltip and the table), every select shows its whole
// choice, and tabs wider than the screen say there is more.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {assertClean, cardState, loadData, openBrowser, requireStatsEndpoints, startServer} from './harness.mjs';

const NARROW = {width: 375, height: 740};
const SIMILAR = [
  ['c0ffee00-0000-4000-8000-0000000000a1', 'Mauvaise gestion de la sécurité des réseaux', 'Poor management of network security'],
  ['c0ffee00-0000-4000-8000-0000000000a2', 'Mauvaise gestion de la sécurité des postes de travail', 'Poor management of workstation security'],
  ['c0ffee00-0000-4000-8000-0000000000a3', 'Mauvaise gestion de la sécurité des supports amovibles', 'Poor management of removable media security'],
];

let server;
let phone;

before(async () => {
  server = await startServer();
  const clients = await loadData(server);
  // Threats whose French names share their first 35 characters, at the top of the chart.
  const data = SIMILAR.map(([uuid, fr, en], i) => ({uuid, label1: fr, label2: en, label3: null, label4: null,
    count: 2, maxRisk: 30, averageRate: String(4.9 - i / 10)}));
  const posted = await server.api('POST', '/api/v1/stats/', {token: clients['Generated Org'].token,
    body: [{anr: 'dddddddd-1111-4222-8333-444444444444', type: 'threat', date: new Date().toISOString().slice(0, 10), data}]});
  assert.equal(posted.status, 201);
  await requireStatsEndpoints(server);
  phone = await openBrowser({viewport: NARROW, mobile: true});
});

after(async () => {
  await phone?.close();
  await server?.stop();
});

test('bar labels sharing their first words still differ on a phone', async () => {
  const page = await phone.page();
  await page.goto(server.url + '/?lang=fr');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const axis = await page.$eval('#threats-chart', (canvas) => {
    const chart = window.Chart.getChart(canvas);
    return {labels: chart.data.labels, ticks: chart.scales.y.ticks.map((tick) => [].concat(tick.label).join(' '))};
  });
  for (const [, fr] of SIMILAR) {
    assert.ok(axis.labels.includes(fr), `${fr} is drawn`);
  }
  assert.equal(new Set(axis.ticks).size, axis.ticks.length, axis.ticks.join(' | '));
  axis.ticks.forEach((tick, i) => {
    const shown = tick.replace(/…$/, '');
    assert.ok(axis.labels[i].replace(/\s+/g, ' ').startsWith(shown), `${tick} begins ${axis.labels[i]}`);
  });
  // The table of figures keeps the whole names.
  const names = await page.$$eval('[data-chart="threats"] .chart-figures tbody th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(names, axis.labels);
  assertClean(assert, phone.watch);
});

test('every select shows its whole choice on a phone, in every language', async () => {
  const page = await phone.page();
  for (const lang of ['en', 'fr', 'de', 'nl']) {
    for (const [route, tab, card] of [['/', null, 'threats'], ['/', '#tab-riskmap', 'riskmap'], ['/evolution', null, 'evolution-risks']]) {
      await page.goto(`${server.url}${route}?lang=${lang}`);
      if (tab) {
        await page.click(tab);
      }
      assert.equal(await cardState(page, card), 'ready');
      const selects = await page.$$eval(`[data-chart="${card}"] select, #scope, #period`, (list) => list
        .filter((s) => s.offsetParent)
        .flatMap((select) => Array.from(select.options, (option) => {
          const style = getComputedStyle(select);
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = style.font;
          const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return {id: select.id, text: option.text, width: ctx.measureText(option.text).width, room,
                  right: select.getBoundingClientRect().right};
        })));
      assert.ok(selects.length >= 2);
      for (const s of selects) {
        assert.ok(s.width <= s.room, `${lang} ${s.id}: "${s.text}" needs ${s.width.toFixed(0)}px, has ${s.room}px`);
        assert.ok(s.right <= 375, `${lang} ${s.id} ends at ${s.right}px`);
      }
    }
  }
  assertClean(assert, phone.watch);
});

test('tabs wider than the screen show there are more, and scroll to them', async () => {
  const page = await phone.page();
  await page.goto(server.url + '/?lang=de');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const more = (side) => page.isVisible(`.tabs-more-${side}`);
  assert.equal(await page.getAttribute('.tabs-scroller', 'data-more'), 'end');
  assert.equal(await more('end'), true);
  assert.equal(await more('start'), false);
  await page.click('.tabs-more-end');
  await page.waitForFunction(() => document.querySelector('.tabs-scroller').dataset.more.includes('start'));
  assert.equal(await more('start'), true);
  // From the keyboard, the arrow keys bring the last tab into view.
  await page.focus('#tab-threats');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('ArrowRight');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-compliance');
  await page.waitForFunction(() => document.querySelector('.tabs-scroller').dataset.more === 'start');
  const box = await page.locator('#tab-compliance').boundingBox();
  assert.ok(box.x + box.width <= NARROW.width + 1, `the last tab ends at ${box.x + box.width}px`);
  assertClean(assert, phone.watch);
});
