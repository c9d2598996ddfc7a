// pages.test.mjs — the other pages in headless Chromium (about, about/more,
// help, the Swagger UI page) and every page at phone width: no console error
// (the strict Content-Security-Policy included), no request off 127.0.0.1,
// nothing wider than the screen, the menu and the language switch usable.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {after, before, test} from 'node:test';

import {
  PHONE, assertClean, axeViolations, cardState, chartData, loadData, openBrowser, requireStatsEndpoints,
  startServer,
} from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGES = ['/', '/evolution', '/map/', '/about', '/about/more', '/help', '/api/v1/'];

let server;
let browser;
let phone;

before(async () => {
  server = await startServer({ADMIN_EMAIL: 'ops@example.org', ADMIN_URL: 'https://example.org/ops'});
  await loadData(server);
  await requireStatsEndpoints(server);
  browser = await openBrowser();
  phone = await openBrowser({viewport: PHONE, mobile: true});
});

after(async () => {
  await phone?.close();
  await browser?.close();
  await server?.stop();
});

test('about names the operator and links to the API documentation', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/about');
  assert.equal(await page.getAttribute('a[href^="mailto:"]', 'href'), 'mailto:ops@example.org');
  assert.equal(await page.getAttribute('a[href="https://example.org/ops"]', 'rel'), 'noopener');
  await Promise.all([page.waitForURL(/\/about\/more$/), page.click('a[href="/about/more"]')]);
  assert.equal(await page.textContent('#about-organisations'), '3');   // the three test clients, not the admin
  assert.equal(await page.textContent('#about-sharing'), '2');
  assert.match(await page.textContent('#about-last-received'), /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(Number(await page.textContent('#about-stats')) > 10);
  await page.goto(server.url + '/help?lang=fr');
  assert.equal(await page.textContent('h1'), 'Comment lire les graphiques');
  await page.goto(server.url + '/help?lang=en');
  assertClean(assert, browser.watch);
});

test('Swagger UI renders every operation of the OpenAPI document', async () => {
  const doc = JSON.parse(readFileSync(path.join(ROOT, 'docs', 'openapi.json'), 'utf8'));
  const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item).filter((k) => k !== 'parameters' && k !== 'servers'));
  const page = await browser.page();
  await page.goto(server.url + '/api/v1/');
  await page.waitForSelector('#swagger-ui[data-state="ready"]');
  await page.waitForFunction((n) => document.querySelectorAll('.opblock').length >= n, operations.length);
  assert.equal(await page.locator('.opblock').count(), operations.length);
  assert.match(await page.textContent('.swagger-ui .info .title'), /Stats Service for MONARC/);
  await page.click('.opblock-get .opblock-summary-control >> nth=0');
  await page.waitForSelector('.opblock.is-open');
  assertClean(assert, browser.watch);
});

test('Swagger UI page: one h1, one main landmark, no serious or critical axe violation', async () => {
  for (const context of [browser, phone]) {
    const page = await context.page();
    await page.goto(server.url + '/api/v1/');
    await page.waitForSelector('#swagger-ui[data-state="ready"]');
    await page.waitForSelector('.opblock');
    // What assistive technologies get: Chromium's accessibility tree.
    const cdp = await context.context.newCDPSession(page);
    const {nodes} = await cdp.send('Accessibility.getFullAXTree');
    await cdp.detach();
    const level = (n) => n.properties?.find((p) => p.name === 'level')?.value.value;
    assert.equal(nodes.filter((n) => n.role?.value === 'heading' && level(n) === 1).length, 1, 'h1');
    assert.equal(nodes.filter((n) => n.role?.value === 'main').length, 1, 'main landmarks');
    assert.equal(await page.getByRole('combobox', {name: 'Server'}).count(), 1);
    assert.deepEqual(await axeViolations(page), []);
    // An open operation, with its parameters and answers, too.
    await page.click('#operations-stats-listStats .opblock-summary-control');
    await page.waitForSelector('#operations-stats-listStats .parameters');
    assert.deepEqual(await axeViolations(page), []);
    assertClean(assert, context.watch);
  }
});

test('Swagger UI "Try it out" sends GET /stats/ with its parameters in the query string', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/api/v1/');
  await page.waitForSelector('#swagger-ui[data-state="ready"]');
  const op = page.locator('#operations-stats-listStats');
  await op.locator('.opblock-summary-control').click();
  await op.locator('button.try-out__btn').click();
  assert.equal(await op.locator('.body-param').count(), 0, 'no request body editor on a GET');
  await op.locator('tr[data-param-name="type"] select').selectOption('risk');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/api/v1/stats/')),
    op.locator('button.execute').click(),
  ]);
  assert.equal(request.method(), 'GET');
  assert.equal(request.postData(), null);
  assert.match(request.url(), /\/api\/v1\/stats\/\?type=risk$/);
  const status = op.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor();
  assert.equal((await status.textContent()).trim(), '401');   // no API key given: the server's answer
  const errors = browser.watch.errors.splice(0);   // Chromium reports the 401 itself, and only it
  assert.ok(errors.every((e) => /status of 401/.test(e)), errors.join('\n'));
  assertClean(assert, browser.watch);
});

test('Swagger UI "Try it out" reaches the public JSON at the site\'s root (the path\'s own server)', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/api/v1/');
  await page.waitForSelector('#swagger-ui[data-state="ready"]');
  const op = page.locator('#operations-public_statistics-publicThreats');
  await op.locator('.opblock-summary-control').click();
  await op.locator('button.try-out__btn').click();
  await op.locator('tr[data-param-name="days"] input').fill('30');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('threats.json')),
    op.locator('button.execute').click(),
  ]);
  const asked = new URL(request.url());
  assert.equal(asked.origin + asked.pathname, server.url + '/stats/threats.json');   // not under /api/v1
  assert.equal(asked.searchParams.get('days'), '30');
  const status = op.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor();
  assert.equal((await status.textContent()).trim(), '200');
  const shown = JSON.parse(await op.locator('.live-responses-table .response-col_description pre').first().textContent());
  assert.ok(shown.length > 0 && shown.every((item) => item.organisations >= 1 && 'previous' in item));
  assertClean(assert, browser.watch);
});

/* Chromium reports the 404 answer of a page as a console error: those, and only
 * those, are expected on the 404 page. */
function dropExpected404(watch) {
  const errors = watch.errors.splice(0);
  assert.ok(errors.every((e) => /no-such-page.*status of 404/.test(e)), errors.join('\n'));
}

test('an unknown address gets a 404 page with the menu, in the reader\'s language', async () => {
  const page = await browser.page();
  const response = await page.goto(server.url + '/no-such-page');
  assert.equal(response.status(), 404);
  assert.equal(await page.textContent('h1'), 'Page not found');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await Promise.all([page.waitForURL(/\?lang=fr$/), page.click('.lang-switch a[hreflang="fr"]')]);
  assert.equal(await page.textContent('h1'), 'Page introuvable');
  await Promise.all([page.waitForURL(/\/help$/), page.click('main a[href="/help"]')]);
  assert.equal(await page.textContent('h1'), 'Comment lire les graphiques');   // the choice is kept
  await page.goto(server.url + '/help?lang=en');
  dropExpected404(browser.watch);
  assertClean(assert, browser.watch);
});

for (const route of [...PAGES, '/no-such-page']) {
  test(`phone width: ${route}`, async () => {
    const page = await phone.page();
    await page.goto(server.url + route);
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page is ${width}px wide`);
    // The menu folds behind its button, which opens it.
    assert.equal(await page.isVisible('#site-menu'), false);
    await page.click('.navbar-toggler');
    await page.waitForSelector('#site-menu.show');
    assert.equal(await page.isVisible('.lang-switch a[hreflang="fr"]'), true);
    if (route === '/') {
      assert.equal(await cardState(page, 'threats'), 'ready');
      const chart = await chartData(page, '#threats-chart');
      assert.ok(chart.labels.length > 0);
      const box = await page.locator('#threats-chart').boundingBox();
      assert.ok(box.width > 300 && box.width <= PHONE.width, `chart ${box.width}px wide`);
    }
    if (route === '/no-such-page') {
      dropExpected404(phone.watch);
    }
    assertClean(assert, phone.watch);
  });
}
