// page-weight.mjs — what the dashboard's pages weigh over the wire and how soon
// their charts are drawn, over Chromium's emulated slow network (1.6 Mbps,
// 150 ms RTT), with and without compression: a first visit (empty cache) and a
// repeat visit, per page.  The server is the one of the browser tests, with
// their data (tests/browser/harness.mjs).  Results: docs/performance.md.
//   STATS_BIN=build/stats-service node bench/page-weight.mjs [/ /evolution /map/ /api/v1/]
import {loadData, measureVisit, openBrowser, requireStatsEndpoints, startServer} from '../tests/browser/harness.mjs';

const routes = process.argv.length > 2 ? process.argv.slice(2) : ['/', '/evolution', '/map/', '/api/v1/'];
const server = await startServer();
try {
  await loadData(server);
  await requireStatsEndpoints(server);
  console.log('page        encoding  first: KB  requests  ready ms   repeat: KB  from cache');
  for (const route of routes) {
    for (const identity of [true, false]) {
      const browser = await openBrowser({intercept: false});
      try {
        const first = await measureVisit(browser, server.url + route, {identity});
        const repeat = await measureVisit(browser, server.url + route, {identity});
        console.log([route.padEnd(11), (identity ? 'identity' : 'gzip').padEnd(9),
          (first.bytes / 1000).toFixed(0).padStart(10), String(first.requests).padStart(9),
          String(first.ms).padStart(9), (repeat.bytes / 1000).toFixed(1).padStart(12),
          String(repeat.fromCache).padStart(11)].join(' '));
      } finally {
        await browser.close();
      }
    }
  }
} finally {
  await server.stop();
}
