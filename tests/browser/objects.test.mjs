// objects.test.mjs — the page of a threat or vulnerability (/object/<uuid>) in
// headless Chromium: its figures, names in four languages, rank and links
// (evolution with it picked, MOSP); the landscape's bars and table rows that
// open it; the 404 page for an object the public figures do not show; axe.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {
  GENERATED_VULNERABILITY, PHONE, SECRET_THREAT, assertClean, axeViolations, cardState, chartData, openBrowser,
  useLoadedServer,
} from './harness.mjs';

// Named by both sharing organisations, in four languages (full-batch.json and harness.mjs).
const EAVESDROPPING = 'b402d557-4576-11e9-9173-0800277f0571';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture));

async function json(path) {
  return (await fetch(server.url + path)).json();
}

/* The rank the landscape gives an object by default: averageRate, highest first, ties by uuid. */
function landscapeRank(objects, uuid) {
  const sorted = objects.slice().sort((a, b) => b.averages.averageRate - a.averages.averageRate ||
    (a.object < b.object ? -1 : 1));
  return {rank: sorted.findIndex((o) => o.object === uuid) + 1, ranked: sorted.length};
}

const ready = (page) => page.waitForFunction(() => document.getElementById('object').dataset.state !== 'loading');

/* Chromium reports the 404 answer of a page as a console error: those, and only those, are expected. */
function drop404(watch) {
  const errors = watch.errors.splice(0);
  assert.ok(errors.every((e) => /\/object\/.*status of 404/.test(e)), errors.join('\n'));
}

test('a threat\'s page: its figures in the landscape, its names in four languages, its rank', async () => {
  const threats = await json('/stats/threats.json?last_stats=1');
  const listed = threats.find((o) => o.object === EAVESDROPPING);
  const {rank, ranked} = landscapeRank(threats, EAVESDROPPING);
  assert.ok(rank >= 1 && ranked >= 2);
  const page = await browser.page();
  await page.goto(server.url + '/object/' + EAVESDROPPING + '?lang=fr');
  await ready(page);
  assert.equal(await page.getAttribute('#object', 'data-state'), 'ready');
  assert.equal(await page.textContent('h1'), 'Écoute passive');
  assert.equal(await page.textContent('#object-kind'), 'Menace');
  assert.match(await page.title(), /^Écoute passive · /);
  const fr = new Intl.NumberFormat('fr', {maximumFractionDigits: 2});
  assert.equal(await page.textContent('#object-rate'), fr.format(listed.averages.averageRate));
  assert.equal(await page.textContent('#object-count'), fr.format(listed.averages.count));
  assert.equal(await page.textContent('#object-max-risk'), fr.format(listed.averages.maxRisk));
  assert.equal(await page.textContent('#object-rank'), `${rank} sur ${ranked} menaces par probabilité`);
  assert.equal(await page.textContent('#object-found-in'),
    `${listed.analyses} analyses de ${listed.organisations} organisations`);
  assert.equal(await page.textContent('#object-data-up-to'), listed.data_up_to);
  for (const [key, cell] of [['label1', '#object-label1'], ['label2', '#object-label2'], ['label3', '#object-label3'],
                             ['label4', '#object-label4']]) {
    assert.equal(await page.textContent(cell), listed.labels[key]);
  }
  assert.equal(await page.getAttribute('#object-mosp', 'href'), 'https://objects.monarc.lu/object/' + EAVESDROPPING);
  // In German, the same object under its German name.
  await Promise.all([page.waitForURL(/\?lang=de$/), page.click('.lang-switch a[hreflang="de"]')]);
  await ready(page);
  assert.equal(await page.textContent('h1'), 'Passives mithören');
  assert.equal(await page.textContent('#object-kind'), 'Bedrohung');
  assertClean(assert, browser.watch);
});

test('a threat\'s page draws its probability over the last year from /stats/evolution, week by week', async () => {
  const page = await browser.page();
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/stats/evolution/')),
    page.goto(server.url + '/object/' + EAVESDROPPING + '?lang=en'),
  ]);
  const asked = new URL(request.url());
  assert.equal(asked.pathname, '/stats/evolution/threat.json');
  assert.equal(asked.searchParams.get('objects'), EAVESDROPPING);
  assert.equal(asked.searchParams.get('step'), 'week');
  const days = (new Date(asked.searchParams.get('date_to')) - new Date(asked.searchParams.get('date_from'))) / 86400000;
  assert.equal(days, 365);
  assert.equal(await cardState(page, 'object-evolution'), 'ready');
  const [line] = await (await fetch(request.url())).json();
  const drawn = await page.$eval('#object-evolution-chart', (canvas) => window.Chart.getChart(canvas).data.datasets[0].data.map((p) => p.y));
  assert.deepEqual(drawn, line.points.map((p) => p.averageRate));
  assert.ok(drawn.some((y) => y !== null), 'some week has a figure');
  // Its table of figures: a row a week, the date and the probability.
  await page.click('[data-chart="object-evolution"] .chart-figures summary');
  assert.equal(await page.locator('[data-chart="object-evolution"] .figures-table tbody tr').count(), line.points.length);
  assertClean(assert, browser.watch);
});

test('a vulnerability named in English only: its page, and its evolution with it picked', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/object/' + GENERATED_VULNERABILITY.toUpperCase() + '?lang=nl');
  await ready(page);
  assert.equal(await page.textContent('h1'), 'Generated vulnerability');   // no Dutch name: the English one
  assert.equal(await page.textContent('#object-kind'), 'Kwetsbaarheid');
  assert.equal(await page.textContent('#object-label4'), '—');
  const vulnerabilities = await json('/stats/vulnerabilities.json?last_stats=1');
  const {rank, ranked} = landscapeRank(vulnerabilities, GENERATED_VULNERABILITY);
  assert.equal(await page.textContent('#object-rank'), `${rank} van ${ranked} kwetsbaarheden naar kwalificatie`);
  await Promise.all([page.waitForURL(/\/evolution#/), page.click('#object-evolution')]);
  assert.equal(new URL(page.url()).hash, '#evolution-vulnerabilities.picks=' + GENERATED_VULNERABILITY);
  assert.equal(await cardState(page, 'evolution-vulnerabilities'), 'ready');
  const drawn = await chartData(page, '#evolution-vulnerabilities-chart');
  assert.deepEqual(drawn.datasets.map((d) => d.label), ['Generated vulnerability']);
  assertClean(assert, browser.watch);
});

test('the landscape links each item to its page: a bar, and a row of the table of figures', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/?lang=en');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const bars = await chartData(page, '#threats-chart');
  const threats = await json('/stats/threats.json?last_stats=1');
  const first = threats.find((o) => o.labels.label2 === bars.labels[0]);
  // The table of figures: every row's name is a link to its object's page.
  await page.click('[data-chart="threats"] .chart-figures summary');
  const links = page.locator('[data-chart="threats"] .figures-table tbody th a');
  assert.equal(await links.count(), bars.labels.length);
  assert.equal(await links.first().textContent(), bars.labels[0]);
  assert.equal(await links.first().getAttribute('href'), '/object/' + first.object);
  // A click on the first bar opens the same page.
  const point = await page.$eval('#threats-chart', (canvas) => {
    const bar = window.Chart.getChart(canvas).getDatasetMeta(0).data[0];
    const box = canvas.getBoundingClientRect();
    return {x: box.left + (bar.base + bar.x) / 2, y: box.top + bar.y};
  });
  await Promise.all([page.waitForURL(new RegExp('/object/' + first.object + '$')), page.mouse.click(point.x, point.y)]);
  await ready(page);
  assert.equal(await page.textContent('h1'), first.labels.label2);
  // The vulnerabilities too.
  await page.goto(server.url + '/?lang=en#tab=vulnerabilities');
  assert.equal(await cardState(page, 'vulnerabilities'), 'ready');
  await page.click('[data-chart="vulnerabilities"] .chart-figures summary');
  const row = page.locator('[data-chart="vulnerabilities"] .figures-table tbody th a', {hasText: 'Generated vulnerability'});
  await Promise.all([page.waitForURL(new RegExp('/object/' + GENERATED_VULNERABILITY + '$')), row.click()]);
  await ready(page);
  assert.equal(await page.textContent('#object-kind'), 'Vulnerability');
  assertClean(assert, browser.watch);
});

test('an object the public figures do not show gets the 404 page: unknown, or named only by a client that does not share', async () => {
  const page = await browser.page();
  for (const uuid of ['0badc0de-0000-4000-8000-000000000000', SECRET_THREAT, 'not-a-uuid']) {
    const response = await page.goto(server.url + '/object/' + uuid);
    assert.equal(response.status(), 404, uuid);
    assert.equal(await page.textContent('h1'), 'Page not found');
    assert.equal((await fetch(server.url + '/stats/object/' + uuid + '.json')).status, 404);
  }
  drop404(browser.watch);
  assertClean(assert, browser.watch);
});

test('axe: no serious or critical violation on an object page, desktop and phone, light and dark', async () => {
  const phone = await openBrowser({viewport: PHONE, mobile: true});
  try {
    for (const context of [browser, phone]) {
      const page = await context.page();
      for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({colorScheme});
        await page.goto(server.url + '/object/' + EAVESDROPPING);
        await ready(page);
        assert.deepEqual(await axeViolations(page), [], colorScheme);
      }
      await page.emulateMedia({colorScheme: 'light'});
      assertClean(assert, context.watch);
    }
  } finally {
    await phone.close();
  }
});
