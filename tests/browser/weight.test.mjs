// weight.test.mjs — the page-weight budget of the dashboard over a slow
// network (Chromium's network emulation: 1.6 Mbps, 150 ms RTT): the first
// visit of / takes at most 350 KB over the wire, a repeat visit at most 20 KB
// (versioned files come from the HTTP cache, the JSON revalidates with 304s),
// and its charts are drawn within 3 s.  The bytes are what Chromium counts
// (compressed bodies and headers); docs/performance.md has the figures of
// every page, with and without compression.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  assertClean, loadData, measureVisit, openBrowser, requireStatsEndpoints, startServer,
} from './harness.mjs';

const FIRST_VISIT_BYTES = 350 * 1000;
const REPEAT_VISIT_BYTES = 20 * 1000;
const CHARTS_DRAWN_MS = 3000;

let server;

before(async () => {
  server = await startServer();
  await loadData(server);
  await requireStatsEndpoints(server);
});

after(async () => {
  await server?.stop();
});

test('/ over a slow network: first visit and repeat visit within the byte budget', async () => {
  const browser = await openBrowser({intercept: false});
  try {
    const first = await measureVisit(browser, server.url + '/');
    assert.ok(first.states.length >= 1 && first.states.every((s) => s === 'ready'), first.states.join());
    assert.ok(first.bytes <= FIRST_VISIT_BYTES, `first visit: ${first.bytes} bytes`);
    const repeat = await measureVisit(browser, server.url + '/');
    assert.ok(repeat.states.every((s) => s === 'ready'), repeat.states.join());
    assert.ok(repeat.fromCache >= 8, `${repeat.fromCache} files from the HTTP cache`);
    assert.ok(repeat.bytes <= REPEAT_VISIT_BYTES, `repeat visit: ${repeat.bytes} bytes`);
    assertClean(assert, browser.watch);
  } finally {
    await browser.close();
  }
});

test('/ over a slow network: charts drawn within 3 s of a first visit', async () => {
  // The time also holds the browser's own work (parsing, drawing), which other
  // processes on a shared machine slow down: the best of three cold visits
  // counts, each in a new profile (an empty cache).
  const times = [];
  for (let attempt = 0; attempt < 3 && !(times.length && Math.min(...times) <= CHARTS_DRAWN_MS); attempt++) {
    const browser = await openBrowser({intercept: false});
    try {
      times.push((await measureVisit(browser, server.url + '/')).ms);
    } finally {
      await browser.close();
    }
  }
  assert.ok(Math.min(...times) <= CHARTS_DRAWN_MS, `charts drawn after ${times.join(', ')} ms`);
});

test('compression is what keeps / within the budget', async () => {
  // The same first visit asking for no compression weighs more than twice as
  // much: the budget above measures the compression, not a page that happens
  // to be light.
  const visits = [];
  for (const identity of [false, true]) {
    const browser = await openBrowser({intercept: false});
    try {
      visits.push(await measureVisit(browser, server.url + '/', {identity}));
    } finally {
      await browser.close();
    }
  }
  const [packed, plain] = visits;
  assert.ok(plain.bytes > 2 * packed.bytes, `${packed.bytes} bytes compressed, ${plain.bytes} without`);
});
