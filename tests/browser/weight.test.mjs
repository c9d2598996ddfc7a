// weight.test.mjs — the page-weight budget of the dashboard over a slow
// network (Chromium's network emulation: 1.6 Mbps, 150 ms RTT): the first
// visit of / takes at most 350 KB over the wire, a repeat visit at most 20 KB
// (versioned files come from the HTTP cache, the JSON revalidates with 304s).
// The bytes are what Chromium counts (compressed bodies and headers).  How
// long the charts take to appear is a measured figure, not a test (timings
// depend on the machine): bench/page-weight.mjs records it with every page's
// weight, with and without compression, in docs/performance.md.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  assertClean, loadData, measureVisit, openBrowser, requireStatsEndpoints, startServer,
} from './harness.mjs';

const FIRST_VISIT_BYTES = 350 * 1000;
const REPEAT_VISIT_BYTES = 20 * 1000;

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
