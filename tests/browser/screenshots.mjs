// screenshots.mjs — takes the pictures of docs/screenshots/ (shown in the
// README): every page, at desktop (1280×800) and phone (390×844) size, from a
// server filled like the browser tests fill theirs.  Not a test; run it with
//   STATS_BIN=build/stats-service node tests/browser/screenshots.mjs
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {DESKTOP, PHONE, cardState, loadData, openBrowser, requireStatsEndpoints, startServer} from './harness.mjs';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
const SHOTS = [
  ['landscape', '/', async (page) => cardState(page, 'threats')],
  ['risk-map', '/', async (page) => {
    await page.click('#tab-riskmap');
    await cardState(page, 'riskmap');
  }],
  ['evolution', '/evolution', async (page) => cardState(page, 'evolution-threats')],
  ['map', '/map/', async (page) => page.waitForFunction(() => Number(document.getElementById('map').dataset.outlines) > 0)],
  // Eavesdropping: named by both organisations, in the four languages.
  ['object', '/object/b402d557-4576-11e9-9173-0800277f0571',
    async (page) => page.waitForFunction(() => document.getElementById('object').dataset.state === 'ready')],
  ['open-data', '/open-data', async (page) => page.waitForFunction(() =>
    Array.from(document.querySelectorAll('#open-data .generated')).every((cell) => cell.textContent !== ''))],
  ['about', '/about', null],
  ['about-more', '/about/more', null],
  ['help', '/help', null],
  ['api', '/api/v1/', async (page) => page.waitForSelector('#swagger-ui[data-state="ready"] .opblock')],
];

const server = await startServer({ADMIN_EMAIL: 'opensource@nc3.lu', ADMIN_URL: 'https://www.nc3.lu'});
try {
  await loadData(server);
  await requireStatsEndpoints(server);
  mkdirSync(OUT, {recursive: true});
  for (const [size, viewport, mobile] of [['desktop', DESKTOP, false], ['phone', PHONE, true]]) {
    const browser = await openBrowser({viewport, mobile});
    try {
      for (const [name, route, ready] of SHOTS) {
        const page = await browser.page();
        await page.goto(server.url + route);
        if (ready) {
          await ready(page);
        }
        await page.waitForLoadState('networkidle');
        const file = path.join(OUT, `${name}-${size}.png`);
        await page.screenshot({path: file});
        console.log(file);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
}
