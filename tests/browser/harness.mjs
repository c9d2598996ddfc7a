// harness.mjs — what the browser tests share: a real stats-service on
// 127.0.0.1 with a fresh SQLite database, the statistics they load into it
// (the MONARC fixture full-batch.json plus generated data), and headless
// Debian Chromium driven by playwright-core, with every request that would
// leave 127.0.0.1 blocked and recorded, and console errors collected.
import {spawn, execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {after, before} from 'node:test';

import {chromium} from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.STATS_BIN || path.join(ROOT, 'build', 'stats-service');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'monarc');
export const ADMIN_TOKEN = 'browser-admin-token-' + 'x'.repeat(40);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const DESKTOP = {width: 1280, height: 800};
export const PHONE = {width: 390, height: 844};

/* A date `days` before the server's today (the tests run the server in UTC). */
export function daysAgo(days) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/* --- the server --- */

export async function startServer(extraEnv = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'stats-browser-'));
  const env = {
    PATH: process.env.PATH,
    DATABASE_URI: `sqlite:///${dir}/stats.db`,
    ADMIN_TOKEN,
    LOG_PATH: path.join(dir, 'stats.log'),
    LOG_LEVEL: 'info',
    CLIENT_REGISTRATION_OPEN: '1',
    HOST: '127.0.0.1',
    PORT: '0',
    THREADS: '2',
    TZ: 'UTC',
    // The pages are checked on two sharing clients: without the privacy floor
    // (1 = the original's behaviour) unless a test sets it (map.test.mjs does).
    MIN_ORGANISATIONS: '1',
    ...Object.fromEntries(['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']
      .filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
    ...extraEnv,
  };
  const cli = (...args) => execFileSync(BIN, args, {env, encoding: 'utf8'});
  cli('db', 'init');
  const proc = spawn(BIN, ['serve'], {env, stdio: ['ignore', 'pipe', 'pipe']});
  let stderr = '';
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/Listening on http:\/\/[^:]+:(\d+)\//);
      if (m) {
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, cli, dir,
    async api(method, route, {body, token = ADMIN_TOKEN} = {}) {
      const response = await fetch(url + route, {
        method, headers: {'X-API-KEY': token, ...(body ? {'Content-Type': 'application/json'} : {})},
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return {status: response.status, json: text ? JSON.parse(text) : null};
    },
    async stop() {
      const exited = new Promise((resolve) => proc.on('exit', resolve));
      proc.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, {recursive: true, force: true});
      if (code !== 0 || /Sanitizer|runtime error/.test(stderr)) {
        throw new Error(`server stopped with ${code}: ${stderr}`);
      }
    },
  };
}

/* --- the data --- */

function fixture(name) {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

function object(uuid, labels, count, maxRisk, averageRate) {
  const [label1, label2, label3, label4] = labels;
  return {uuid, label1, label2, label3, label4, maxRisk, count, averageRate};
}

function riskData(low, medium, high) {
  const levels = (values) => ['Low risks', 'Medium risks', 'High risks'].map((level, i) => ({level, value: values[i]}));
  const kinds = (f) => ({informational: levels([low, medium, high].map((v) => v * f)), operational: levels([1, 2, 3])});
  return {total: {current: {informational: 0, operational: 0}, residual: {informational: 0, operational: 0}},
          risks: {current: kinds(1), residual: kinds(0.5)}};
}

export const GENERATED_THREAT = 'c0ffee00-0000-4000-8000-000000000001';
export const GENERATED_VULNERABILITY = 'c0ffee00-0000-4000-8000-000000000002';
export const SECRET_THREAT = 'c0ffee00-0000-4000-8000-00000000dead';
const EAVESDROPPING = 'b402d557-4576-11e9-9173-0800277f0571';

/* Stats of an analysis of "Generated Org" on three dates: a threat and a
 * vulnerability named only in English (label1 null: French readers get the
 * English name), values that grow over time. */
function generatedStats(anr) {
  const stats = [];
  [[75, 1], [45, 2], [3, 3]].forEach(([ago, step]) => {
    const date = daysAgo(ago);
    stats.push({anr, type: 'threat', date, data: [
      object(GENERATED_THREAT, [null, 'Generated threat', null, null], 10 * step, 20 + 10 * step, String(3 + step / 2)),
      object(EAVESDROPPING, ['Écoute passive', 'Eavesdropping', 'Passives mithören', 'Passieve afluistering'], step, 4 * step, '2'),
    ]});
    stats.push({anr, type: 'vulnerability', date, data: [
      object(GENERATED_VULNERABILITY, [null, 'Generated vulnerability', null, null], 5 * step, 10 * step, String(2 + step / 2)),
    ]});
    stats.push({anr, type: 'risk', date, data: riskData(10 * step, 5 * step, 2 * step)});
  });
  return stats;
}

/*
 * Three clients: "Fixture Org" (sharing, in Luxembourg) posts full-batch.json
 * dated 10 days ago; "Generated Org" (sharing, in Brussels) posts generated
 * stats over two months; "Private Org" (not sharing, in Paris) posts a threat
 * that must never show.  Returns what was posted, per client.
 */
export async function loadData(server) {
  const clients = {};
  for (const [name, sharing, lat, lon] of [['Fixture Org', true, '49.61', '6.13'], ['Generated Org', true, '50.85', '4.35'],
                                            ['Private Org', false, '48.85', '2.35']]) {
    const created = await server.api('POST', '/api/v1/client/', {body: {name, is_sharing_enabled: sharing}});
    if (created.status !== 201) {
      throw new Error(`client ${name}: ${created.status}`);
    }
    server.cli('client', 'coordinates-set', '--uuid', created.json.uuid, '--latitude', lat, '--longitude', lon);
    clients[name] = {...created.json, stats: []};
  }
  const batch = fixture('full-batch.json').map((s) => ({...s, date: daysAgo(10)}));
  const posts = [
    ['Fixture Org', batch],
    ['Generated Org', generatedStats('9a9a9a9a-1111-4222-8333-444444444444')],
    ['Private Org', [{anr: '7b7b7b7b-1111-4222-8333-444444444444', type: 'threat', date: daysAgo(2),
      data: [object(SECRET_THREAT, ['Menace secrète', 'Secret threat', null, null], 99, 99, '5')]}]],
  ];
  for (const [name, stats] of posts) {
    const r = await server.api('POST', '/api/v1/stats/', {body: stats, token: clients[name].token});
    if (r.status !== 201) {
      throw new Error(`stats of ${name}: ${r.status} ${JSON.stringify(r.json)}`);
    }
    clients[name].stats = stats;
  }
  return clients;
}

/*
 * Waits until the public statistics endpoints the pages call answer (they
 * are another part of the service: a missing one fails the test, loudly).
 */
export async function requireStatsEndpoints(server, timeoutMs = 2000) {
  const routes = ['/stats/threats.json', '/stats/vulnerabilities.json', '/stats/risks.json',
    '/stats/cartography.json', '/stats/compliance.json', '/map/clients.json'];
  const deadline = Date.now() + timeoutMs;
  for (const route of routes) {
    for (;;) {
      const response = await fetch(server.url + route);
      if (response.ok) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`${route} answers ${response.status}: the public statistics endpoints are missing`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/* --- the browser --- */

/*
 * A browser context (its own empty profile) at the given viewport; every
 * request for another host than 127.0.0.1 is aborted and recorded in
 * `external`, console errors and page errors in `errors`.  With
 * intercept: false, requests are not routed through playwright (routing turns
 * the HTTP cache off, which a repeat visit needs): other hosts are then only
 * recorded, not aborted.
 */
export async function openBrowser({viewport = DESKTOP, locale = 'en-US', mobile = false, intercept = true} = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'stats-chromium-'));
  const downloads = mkdtempSync(path.join(tmpdir(), 'stats-downloads-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
    reducedMotion: 'reduce',
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  const watch = {errors: [], aborted: [], external: []};
  const local = (url) => url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:';
  if (intercept) {
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (local(url)) {
        return route.continue();
      }
      watch.external.push(url.href);
      return route.abort();
    });
  } else {
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (!local(url)) {
        watch.external.push(url.href);
      }
    });
  }
  context.on('page', (page) => watchPage(page, watch));
  for (const page of context.pages()) {
    watchPage(page, watch);
  }
  return {
    context, watch,
    async page() {
      const existing = context.pages().find((p) => p.url() === 'about:blank');
      return existing || context.newPage();
    },
    async close() {
      await context.close();
      rmSync(profile, {recursive: true, force: true});
      rmSync(downloads, {recursive: true, force: true});
    },
  };
}

function watchPage(page, watch) {
  page.on('console', (message) => {
    if (message.type() === 'error') {
      watch.errors.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => watch.errors.push(`${page.url()}: ${error.message}`));
  // Leaving a page cancels its requests still in flight (net::ERR_ABORTED): the
  // browser's doing, not a failure.  Such a request is judged in assertClean,
  // once every event is in: it is excused only if the page navigated after it
  // started, or was closed.  The pages themselves never abort a request.
  let navigations = 0;
  const navigationAtStart = new WeakMap();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) {
      navigations++;
    }
  });
  page.on('request', (request) => navigationAtStart.set(request, navigations));
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).hostname !== '127.0.0.1') {
      return;
    }
    const failure = `request failed: ${request.url()} ${request.failure()?.errorText}`;
    if (request.failure()?.errorText === 'net::ERR_ABORTED') {
      const startedAt = navigationAtStart.get(request);
      watch.aborted.push({failure, leftBehind: () => page.isClosed() || navigations !== startedAt});
    } else {
      watch.errors.push(failure);
    }
  });
}

/* --- accessibility --- */

let axeSource = null;   // read on first use: only the tests that run axe need the package

/*
 * Runs axe-core (the npm package, pinned) on the page as it is now, with the
 * WCAG 2.1 A/AA rules and axe's best practices, and returns the violations of
 * the given impacts, each as "rule (impact): help — its first five targets", so a
 * failed assertion says what to fix.  axe is evaluated through the DevTools
 * protocol, which the pages' Content-Security-Policy does not restrict.
 */
export async function axeViolations(page, {impacts = ['serious', 'critical'], exclude = []} = {}) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async (excluded) => {
    const result = await window.axe.run({exclude: excluded.map((selector) => [selector])}, {
      runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}));
  }, exclude);
  return violations.filter((v) => impacts.includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(' | ')}`);
}

/* --- page weight --- */

/* The slow network of the page-weight budget: 1.6 Mbps down, 750 kbps up, 150 ms RTT. */
export const SLOW_NETWORK = {latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8};

/* In the page: every visible chart card (and the map, the Swagger UI) has left
 * its loading state; there is at least one. */
export function chartsSettled() {
  const shown = [...document.querySelectorAll('[data-chart], #map[data-state], #swagger-ui')]
    .filter((el) => el.offsetParent !== null);
  return shown.length > 0 && shown.every((el) => el.dataset.state && el.dataset.state !== 'loading');
}

/*
 * One visit of `url` in a new tab of the browser over an emulated network
 * (Chromium's CDP Network.emulateNetworkConditions): the bytes that crossed
 * it as Chromium counts them (encodedDataLength: headers and bodies as sent,
 * compressed), the answers that came over the network (304s included) and
 * those the HTTP cache gave without asking, the milliseconds from navigation to `ready` (run in the page)
 * and the states of the chart cards then.  identity: the tab asks for no
 * compression (Accept-Encoding: identity), to measure what compression saves.
 * The browser should be opened with intercept: false, or its cache is off.
 */
export async function measureVisit(browser, url, {ready = chartsSettled, network = SLOW_NETWORK, identity = false} = {}) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {offline: false, ...network});
  if (identity) {
    await cdp.send('Network.setExtraHTTPHeaders', {headers: {'Accept-Encoding': 'identity'}});
  }
  const visit = {bytes: 0, requests: 0, fromCache: 0, ms: 0, states: []};
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) {
      visit.fromCache += 1;
    } else {
      visit.requests += 1;
    }
  });
  cdp.on('Network.loadingFinished', (e) => { visit.bytes += e.encodedDataLength; });
  const start = Date.now();
  await page.goto(url);
  await page.waitForFunction(ready, null, {timeout: 60000, polling: 50});
  visit.ms = Date.now() - start;
  await page.waitForLoadState('networkidle');
  visit.states = await page.evaluate(() => [...document.querySelectorAll('[data-chart]')]
    .filter((el) => el.offsetParent !== null).map((el) => el.dataset.state));
  await cdp.detach();
  await page.close();
  return visit;
}

/* Clicks the element and returns the downloaded file: {name, bytes}. */
export async function download(page, locator) {
  const [file] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const bytes = readFileSync(await file.path());
  return {name: file.suggestedFilename(), bytes};
}

/* Rows of a CSV download (our own simple quoting), without the byte-order mark. */
export function parseCsv(bytes) {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }
  const rows = [];
  for (const line of text.split('\r\n').filter(Boolean)) {
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (c === '"') {
          quoted = false;
        } else {
          cell += c;
        }
      } else if (c === '"') {
        quoted = true;
      } else if (c === ',') {
        cells.push(cell);
        cell = '';
      } else {
        cell += c;
      }
    }
    cells.push(cell);
    rows.push(cells);
  }
  return rows;
}

/* The labels and the first dataset's values of the Chart.js chart on a canvas. */
export async function chartData(page, canvasSelector) {
  return page.$eval(canvasSelector, (canvas) => {
    const chart = window.Chart.getChart(canvas);
    if (!chart) {
      return null;
    }
    return {labels: chart.data.labels.slice(), datasets: chart.data.datasets.map((d) => ({label: d.label, data: d.data.slice()}))};
  });
}

/* Waits until the chart card is done loading; returns its state. */
export async function cardState(page, name) {
  const card = page.locator(`[data-chart="${name}"]`);
  await page.waitForFunction((n) => {
    const el = document.querySelector(`[data-chart="${n}"]`);
    return el && el.dataset.state && el.dataset.state !== 'loading';
  }, name);
  return card.getAttribute('data-state');
}

/*
 * The fixture most test files share: a server filled by loadData (extraEnv
 * added to its environment) whose statistics endpoints answer, and a browser;
 * both closed after the file's tests.  assign receives {server, clients,
 * browser} once they are ready, before the first test (and may finish the
 * set-up: it is awaited).
 */
export function useLoadedServer(assign, extraEnv = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(extraEnv);
    const clients = await loadData(server);
    await requireStatsEndpoints(server);
    browser = await openBrowser();
    await assign({server, clients, browser});
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/* Fails when the page logged errors or tried to reach another host. */
export function assertClean(assert, watch) {
  const abortedInPlace = watch.aborted.filter((request) => !request.leftBehind()).map((request) => request.failure);
  assert.deepEqual([...watch.errors, ...abortedInPlace], [], 'console errors');
  assert.deepEqual(watch.external, [], 'requests that left 127.0.0.1');
}

export const LABEL_OF_LANGUAGE = {fr: 'label1', en: 'label2', de: 'label3', nl: 'label4'};

/* The name a reader of lang sees for labels (the pages' rule: own language, then English, French, German, Dutch). */
export function labelFor(labels, lang, fallback) {
  for (const key of [LABEL_OF_LANGUAGE[lang], 'label2', 'label1', 'label3', 'label4']) {
    if (labels && labels[key]) {
      return labels[key];
    }
  }
  return fallback;
}
