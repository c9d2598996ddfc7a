// evolution.test.mjs — the /evolution page in headless Chromium: lines over
// time of the chosen threats and vulnerabilities (the landscape as of each
// day: every analysis with its latest stats of the last 90 days; metric
// selectable) and of the risk levels (the same method), over the chosen
// period, with their downloads.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {
  GENERATED_THREAT, assertClean, cardState, daysAgo, download, labelFor, parseCsv, useLoadedServer,
} from './harness.mjs';
import {evolutionPoints, objectAverages, riskEvolutionPoints, selectStats} from './expected.mjs';

let server;
let clients;
let browser;

useLoadedServer((fixture) => ({server, clients, browser} = fixture));

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((value, i) => {
    if (expected[i] === null) {
      assert.equal(value, null, `${what}[${i}]`);
    } else {
      assert.ok(Math.abs(value - expected[i]) <= 1e-9 * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${value} != ${expected[i]}`);
    }
  });
}

/*
 * The lines of the chart on a canvas, on its time axis (x: day numbers):
 * labels, the sorted dates of every point; each dataset's values aligned on
 * them (null where the line has no point), its colour and its points' x pixels.
 */
async function lineData(page, canvasSelector) {
  return page.$eval(canvasSelector, (canvas) => {
    const chart = window.Chart.getChart(canvas);
    const date = (day) => new Date(day * 86400000).toISOString().slice(0, 10);
    const days = Array.from(new Set(chart.data.datasets.flatMap((d) => d.data.map((p) => p.x)))).sort((a, b) => a - b);
    return {
      labels: days.map(date),
      xType: chart.options.scales.x.type,
      datasets: chart.data.datasets.map((d, i) => ({
        label: d.label,
        colour: d.borderColor,
        dates: d.data.map((p) => date(p.x)),
        pixels: chart.getDatasetMeta(i).data.map((point) => point.x),
        data: days.map((day) => {
          const point = d.data.find((p) => p.x === day);
          return point ? point.y : null;
        }),
      })),
    };
  });
}

/* The datasets the page must draw for the chosen objects over the last `days`
 * days: a point a day, null where nothing stands. */
function expectedLines(objects, metric, days, type = 'threat') {
  const points = objects.map((o) => evolutionPoints(clients, type, o.object, days));
  return {dates: points[0].map((p) => p.date), points, lines: points.map((list) => list.map((p) => p[metric]))};
}

test('threats over time: the five highest by default, metric and choice', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const objects = objectAverages(selectStats(clients, 'threat', '180'));
  const ranked = objects.slice().sort((a, b) => b.averages.averageRate - a.averages.averageRate || a.object.localeCompare(b.object));
  const chosen = ranked.slice(0, 5);
  let chart = await lineData(page, '#evolution-threats-chart');
  const byName = (list) => list.slice().sort((a, b) => labelFor(a.labels, 'en').localeCompare(labelFor(b.labels, 'en'), 'en'));
  const check = async (list, metric) => {
    const want = expectedLines(byName(list), metric, 180);
    assert.equal(await cardState(page, 'evolution-threats'), 'ready');   // the lines fetched for the picks
    chart = await lineData(page, '#evolution-threats-chart');
    assert.deepEqual(chart.labels, want.dates);
    assert.deepEqual(chart.datasets.map((d) => d.label), byName(list).map((o) => labelFor(o.labels, 'en')));
    chart.datasets.forEach((d, i) => assertClose(d.data, want.lines[i], `${metric} ${d.label}`));
  };
  await check(chosen, 'averageRate');
  // Its analyses reported 75, 45 and 3 days ago: on the days between, the line
  // goes on with their latest figures rather than stopping.
  const generated = chart.datasets.find((d) => d.label === 'Generated threat');
  const at = (back) => generated.data[chart.labels.indexOf(daysAgo(back))];
  assert.equal(at(60), at(75));
  assert.notEqual(at(60), null);
  assert.equal(at(76), null);

  // Untick everything but the generated threat, then follow its occurrences.
  await page.click('[data-chart="evolution-threats"] summary');
  for (const o of chosen.filter((x) => x.object !== GENERATED_THREAT)) {
    await page.uncheck(`[data-chart="evolution-threats"] input[value="${o.object}"]`);
  }
  const generatedOnly = objects.filter((o) => o.object === GENERATED_THREAT);
  await check(generatedOnly, 'averageRate');
  // The reader's pick stays when the metric changes.
  await page.selectOption('#evolution-threats-metric', 'count');
  await check(generatedOnly, 'count');
  // Nothing ticked: a message instead of a chart; then the five highest by occurrence.
  await page.uncheck(`[data-chart="evolution-threats"] input[value="${GENERATED_THREAT}"]`);
  assert.equal(await page.getAttribute('[data-chart="evolution-threats"]', 'data-state'), 'empty');
  const byCount = objects.slice().sort((a, b) => b.averages.count - a.averages.count || a.object.localeCompare(b.object)).slice(0, 5);
  for (const o of byCount) {
    await page.check(`[data-chart="evolution-threats"] input[value="${o.object}"]`);
  }
  await check(byCount, 'count');

  const rows = parseCsv((await download(page, page.locator('[data-chart="evolution-threats"] [data-export="csv"]'))).bytes);
  assert.deepEqual(rows[0], ['date', 'uuid', 'label', 'count', 'analyses', 'organisations', 'period']);
  assert.ok(rows.slice(1).every((r) => r[6] === `${daysAgo(180)}/${daysAgo(0)}`));
  const wantRows = byCount.flatMap((o) => evolutionPoints(clients, 'threat', o.object, 180)
    .map((p) => [p.date, o.object, labelFor(o.labels, 'en'), p.count, p.analyses, p.organisations]))
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 3).concat(r.slice(4, 6).map(Number))),
                   wantRows.map((r) => r.slice(0, 3).concat(r.slice(4, 6))));
  assertClose(rows.slice(1).map((r) => (r[3] === '' ? null : Number(r[3]))), wantRows.map((r) => r[3]), 'csv count');

  // A shorter period: a point a day over the last 30 days.
  await page.selectOption('#period', '30');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  chart = await lineData(page, '#evolution-threats-chart');
  assert.deepEqual(chart.labels, expectedLines(byCount, 'count', 30).dates);
  assertClean(assert, browser.watch);
});

test('vulnerabilities over time', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-vulnerabilities'), 'ready');
  const objects = objectAverages(selectStats(clients, 'vulnerability', '180'));
  const chart = await lineData(page, '#evolution-vulnerabilities-chart');
  assert.equal(chart.datasets.length, Math.min(5, objects.length));
  assert.ok(chart.datasets.some((d) => d.label === 'Generated vulnerability'));
  const png = await download(page, page.locator('[data-chart="evolution-vulnerabilities"] [data-export="png"]'));
  assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
  assertClean(assert, browser.watch);
});

test('risk levels over time, by kind and state: the landscape as of each day', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-risks'), 'ready');
  const levels = ['Low risks', 'Medium risks', 'High risks'];
  for (const [kind, state] of [['informational', 'current'], ['operational', 'residual'], ['informational', 'residual']]) {
    await page.selectOption('#evolution-risks-kind', kind);
    await page.selectOption('#evolution-risks-state', state);
    const want = riskEvolutionPoints(clients, state, kind, 180);
    const chart = await lineData(page, '#evolution-risks-chart');
    assert.equal(chart.xType, 'linear');
    assert.deepEqual(chart.labels, want.map((p) => p.date));
    assert.deepEqual(chart.datasets.map((d) => d.label), levels);
    levels.forEach((level, i) =>
      assertClose(chart.datasets[i].data, want.map((p) => p[level]), `${kind} ${state} ${level}`));
  }
  // An analysis that did not report on a day still counts there: the lines go on between reports.
  const want = riskEvolutionPoints(clients, 'residual', 'informational', 180);
  assert.ok(want.filter((p) => p.analyses > 0).length > new Set(selectStats(clients, 'risk', '180').map((s) => s.date)).size);
  // The tooltip says how many analyses and organisations a point rests on.
  const last = want[want.length - 1];
  const tooltip = await page.$eval('#evolution-risks-chart', (canvas) => {
    const chart = window.Chart.getChart(canvas);
    const data = chart.data.datasets[0].data;
    return chart.options.plugins.tooltip.callbacks.afterLabel({raw: data[data.length - 1]});
  });
  assert.equal(tooltip, `${last.analyses} analyses from ${last.organisations} organisations`);
  const rows = parseCsv((await download(page, page.locator('[data-chart="evolution-risks"] [data-export="csv"]'))).bytes);
  assert.deepEqual(rows[0], ['date', 'Low risks', 'Medium risks', 'High risks', 'analyses', 'organisations', 'period']);
  assert.deepEqual(rows.slice(1).map((r) => [r[0], Number(r[4]), Number(r[5])]),
                   want.map((p) => [p.date, p.analyses, p.organisations]));
  levels.forEach((level, i) => assertClose(rows.slice(1).map((r) => (r[1 + i] === '' ? null : Number(r[1 + i]))),
                                           want.map((p) => p[level]), `csv ${level}`));
  // Over two years, a point a week, counted back from today.
  await page.selectOption('#period', '730');
  assert.equal(await cardState(page, 'evolution-risks'), 'ready');
  const weekly = await lineData(page, '#evolution-risks-chart');
  const wantWeekly = riskEvolutionPoints(clients, 'residual', 'informational', 730, {step: 7});
  assert.deepEqual(weekly.labels, wantWeekly.map((p) => p.date));
  assertClose(weekly.datasets[2].data, wantWeekly.map((p) => p['High risks']), 'weekly high risks');
  assertClean(assert, browser.watch);
});

/* The label of the first unticked choice listed before a ticked one: ticking
 * it puts a line before others in the legend. */
async function uncheckedBeforeChecked(page, kind) {
  return page.$$eval(`[data-chart="evolution-${kind}"] .object-list input`, (inputs) => {
    const firstChecked = inputs.findIndex((i) => i.checked);
    const lastChecked = inputs.map((i) => i.checked).lastIndexOf(true);
    const candidate = inputs.find((i, n) => !i.checked && n < lastChecked && (n < firstChecked || n > firstChecked));
    return candidate ? candidate.value : null;
  });
}

test('a line keeps its colour when more are ticked, and in every language', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const coloursOf = (chart) => Object.fromEntries(chart.datasets.map((d) => [d.label, d.colour]));
  const before = coloursOf(await lineData(page, '#evolution-threats-chart'));
  assert.equal(new Set(Object.values(before)).size, Object.keys(before).length, 'the lines have distinct colours');
  const extra = await uncheckedBeforeChecked(page, 'threats');
  assert.ok(extra, 'a choice listed before a ticked one');
  await page.click('[data-chart="evolution-threats"] summary');
  await page.check(`[data-chart="evolution-threats"] input[value="${extra}"]`);
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const after = coloursOf(await lineData(page, '#evolution-threats-chart'));
  assert.equal(Object.keys(after).length, Object.keys(before).length + 1);
  for (const [label, colour] of Object.entries(before)) {
    assert.equal(after[label], colour, `${label} kept its colour`);
  }
  // "Generated threat" has only an English name: the same line in French, the same colour.
  await page.goto(server.url + '/evolution?lang=fr');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const french = coloursOf(await lineData(page, '#evolution-threats-chart'));
  assert.equal(french['Generated threat'], before['Generated threat']);
  await page.goto(server.url + '/evolution?lang=en');
  assertClean(assert, browser.watch);
});

test('the period and the metric keep the picks; dates spaced by time', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  await page.click('[data-chart="evolution-threats"] summary');
  for (const value of await page.$$eval('[data-chart="evolution-threats"] .object-list input:checked', (l) => l.map((i) => i.value))) {
    if (value !== GENERATED_THREAT) {
      await page.uncheck(`[data-chart="evolution-threats"] input[value="${value}"]`);
    }
  }
  const only = async () => {
    assert.equal(await cardState(page, 'evolution-threats'), 'ready');
    return (await lineData(page, '#evolution-threats-chart')).datasets.map((d) => d.label);
  };
  assert.deepEqual(await only(), ['Generated threat']);
  await page.selectOption('#period', '90');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  assert.deepEqual(await only(), ['Generated threat']);
  await page.selectOption('#evolution-threats-metric', 'maxRisk');
  assert.deepEqual(await only(), ['Generated threat']);
  assert.equal(await page.isChecked(`[data-chart="evolution-threats"] input[value="${GENERATED_THREAT}"]`), true);

  // A point a day, spaced by the days between them (its reports 75, 45 and 3 days ago).
  const chart = await lineData(page, '#evolution-threats-chart');
  assert.equal(chart.xType, 'linear');
  const [line] = chart.datasets;
  assert.deepEqual(line.dates, expectedLines([{object: GENERATED_THREAT}], 'maxRisk', 90).dates);
  const pixel = (back) => line.pixels[line.dates.indexOf(daysAgo(back))];
  const ratio = (pixel(45) - pixel(75)) / (pixel(3) - pixel(45));
  assert.ok(Math.abs(ratio - 30 / 42) < 0.02, `gaps of 30 and 42 days drawn in the ratio ${ratio}`);
  // Over two years, a point a week, counted back from today.
  await page.selectOption('#period', '730');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const weekly = (await lineData(page, '#evolution-threats-chart')).datasets[0];
  const want = evolutionPoints(clients, 'threat', GENERATED_THREAT, 730, {step: 7});
  assert.deepEqual(weekly.dates, want.map((p) => p.date));
  assertClose(weekly.data, want.map((p) => p.maxRisk), 'weekly maxRisk');
  // The axis reads as dates.
  const ticks = await page.$eval('#evolution-threats-chart', (canvas) => window.Chart.getChart(canvas).scales.x.ticks.map((tk) => tk.label));
  assert.ok(ticks.length >= 2 && ticks.every((label) => /[A-Za-z]/.test(label) && /\d/.test(label)), ticks.join(' | '));
  assertClean(assert, browser.watch);
});

test('the picker filters by name and works with the keyboard', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/evolution?lang=fr');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const card = '[data-chart="evolution-threats"]';
  const total = await page.locator(`${card} .object-list input`).count();
  await page.focus(`${card} summary`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'evolution-threats-filter');
  await page.keyboard.type('ecoute PASSIVE');   // accents and case do not matter
  const visible = await page.locator(`${card} .object-list .form-check:visible`).allTextContents();
  assert.deepEqual(visible, ['Écoute passive']);
  assert.equal(await page.textContent(`${card} .object-filter-status`), `1 sur ${total} affichés`);
  await page.keyboard.press('Enter');   // does not send the form anywhere
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.nextElementSibling.textContent), 'Écoute passive');
  const wasChecked = await page.evaluate(() => document.activeElement.checked);
  await page.keyboard.press('Space');
  assert.equal(await cardState(page, 'evolution-threats'), 'ready');
  const labels = (await lineData(page, '#evolution-threats-chart')).datasets.map((d) => d.label);
  assert.equal(labels.includes('Écoute passive'), !wasChecked);
  await page.focus('#evolution-threats-filter');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator(`${card} .object-list .form-check:visible`).count(), total);
  const url = new URL(page.url());
  assert.equal(url.origin + url.pathname + url.search, server.url + '/evolution?lang=fr');
  await page.goto(server.url + '/evolution?lang=en');
  assertClean(assert, browser.watch);
});
