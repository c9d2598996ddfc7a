// look.test.mjs — what readers see beyond the figures, in headless Chromium:
// keyboard focus drawn on every control (WCAG 2.2), contrast of the risk
// map's numbers and of the bars, the risk map coloured by severity, the
// coordinates of the map written without ambiguity in every language.
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {test} from 'node:test';

import {PHONE, assertClean, axeViolations, cardState, openBrowser, useLoadedServer} from './harness.mjs';

let server;
let browser;

useLoadedServer((fixture) => ({server, browser} = fixture));

/* WCAG's contrast ratio of two CSS colours "rgb(r, g, b)". */
function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, b2] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/* The focus ring of the focused element and the background around it. */
async function focusRing(page, selector) {
  await page.focus(selector);
  return page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    let around = el.parentElement;
    while (around && /rgba\(0, 0, 0, 0\)|transparent/.test(getComputedStyle(around).backgroundColor)) {
      around = around.parentElement;
    }
    return {
      focusVisible: el.matches(':focus-visible'),
      style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor,
      background: around ? getComputedStyle(around).backgroundColor : 'rgb(255, 255, 255)',
    };
  });
}

test('keyboard focus is drawn on every kind of control, 3:1 against its surroundings', async () => {
  const page = await browser.page();
  const checks = {
    '/': ['.site-nav .nav-link[href="/evolution"]', '.lang-switch a[hreflang="fr"]', '.navbar-brand', '#scope',
          '#tab-vulnerabilities', '#threats-top', '[data-chart="threats"] [data-export="png"]', 'footer a'],
    '/evolution': ['#period', '[data-chart="evolution-threats"] summary', '#evolution-threats-filter'],
  };
  for (const [route, selectors] of Object.entries(checks)) {
    await page.goto(server.url + route);
    await page.keyboard.press('Tab');   // the reader uses the keyboard
    if (route === '/evolution') {
      await page.click('[data-chart="evolution-threats"] summary');
      await page.keyboard.press('Tab');
    }
    for (const selector of selectors) {
      const ring = await focusRing(page, selector);
      assert.ok(ring.focusVisible, `${route} ${selector}: focus-visible`);
      assert.equal(ring.style, 'solid', `${route} ${selector}: an outline`);
      assert.ok(ring.width >= 2, `${route} ${selector}: ${ring.width}px`);
      const ratio = contrast(ring.colour, ring.background);
      assert.ok(ratio >= 3, `${route} ${selector}: ${ring.colour} on ${ring.background} is ${ratio.toFixed(2)}:1`);
    }
  }
  assertClean(assert, browser.watch);
});

test('risk map: the colour is the level of the cell (MONARC), the number the risks, 4.5:1', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  await page.click('#tab-riskmap');
  assert.equal(await cardState(page, 'riskmap'), 'ready');
  for (const kind of ['informational', 'operational']) {
    await page.selectOption('#riskmap-kind', kind);
    const cells = await page.$$eval('.heatmap tbody td', (tds) => tds.map((td) => ({
      impact: Number(td.parentElement.cells[0].textContent),
      column: Number(td.closest('table').tHead.rows[0].cells[td.cellIndex].textContent),
      count: Number(td.textContent),
      colour: getComputedStyle(td).color,
      background: getComputedStyle(td).backgroundColor,
    })));
    const legend = Object.fromEntries(await page.$$eval('.risk-legend .swatch', (swatches) =>
      swatches.map((s) => [s.dataset.level, getComputedStyle(s).backgroundColor])));
    assert.deepEqual(Object.keys(legend), ['low', 'medium', 'high']);
    assert.equal(new Set(Object.values(legend)).size, 3);
    assert.ok(cells.some((c) => c.count > 0));
    for (const cell of cells) {
      // MONARC's default thresholds: up to 4 low, up to 8 medium, above high.
      const value = cell.impact * cell.column;
      const level = value <= 4 ? 'low' : value <= 8 ? 'medium' : 'high';
      assert.equal(cell.background, legend[level], `${kind} impact ${cell.impact} × ${cell.column}`);
      const ratio = contrast(cell.colour, cell.background);
      assert.ok(ratio >= 4.5, `${kind} ${cell.count} in ${cell.colour} on ${cell.background}: ${ratio.toFixed(2)}:1`);
    }
  }
  assertClean(assert, browser.watch);
});

test('bars of two series stand 3:1 against the page and apart from each other', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  const colours = async (canvas) => page.$eval(canvas, (c) => window.Chart.getChart(c).data.datasets.map((d) => d.backgroundColor));
  const rgb = (hex) => `rgb(${hex.match(/[0-9a-f]{2}/gi).map((h) => parseInt(h, 16)).join(', ')})`;
  for (const [tab, name] of [['#tab-compliance', 'compliance'], ['#tab-risks', 'risks-informational']]) {
    await page.click(tab);
    assert.equal(await cardState(page, name), 'ready');
    const [first, second] = (await colours(`#${name}-chart`)).map(rgb);
    for (const colour of [first, second]) {
      assert.ok(contrast(colour, 'rgb(255, 255, 255)') >= 3, `${name}: ${colour} on white`);
    }
    assert.notEqual(first, second);
  }
  assertClean(assert, browser.watch);
});

test('map coordinates read the same way in every language', async () => {
  const page = await browser.page();
  const want = {en: '49.61° N, 6.13° E', fr: '49,61° N, 6,13° E', de: '49,61° N, 6,13° O', nl: '49,61° N, 6,13° O'};
  for (const [lang, text] of Object.entries(want)) {
    await page.goto(server.url + '/map/?lang=' + lang);
    await page.waitForFunction(() => document.getElementById('map').dataset.state === 'ready');
    const positions = await page.$$eval('#map-table tbody tr', (rows) => rows.map((r) => r.cells[0].textContent));
    assert.ok(positions.includes(text), `${lang}: ${positions.join(' | ')}`);
  }
  await page.goto(server.url + '/map/?lang=en');
  assertClean(assert, browser.watch);
});

test('dark mode: dark surfaces, readable text, charts and focus; images unchanged', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  assert.equal(await cardState(page, 'threats'), 'ready');
  const [lightPng] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="threats"] [data-export="png"]')]);
  const lightBytes = await readFile(await lightPng.path());
  await page.emulateMedia({colorScheme: 'dark'});
  try {
    await page.reload();
    assert.equal(await cardState(page, 'threats'), 'ready');
    const look = await page.evaluate(() => {
      const card = document.querySelector('[data-chart="threats"]');
      const chart = window.Chart.getChart(document.getElementById('threats-chart'));
      return {
        body: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        card: getComputedStyle(card.closest('.tab-pane')).backgroundColor,
        heading: getComputedStyle(card.querySelector('h2')).color,
        label: getComputedStyle(card.querySelector('.form-label')).color,
        tick: chart.scales.y.options.ticks.color,
        bar: chart.data.datasets[0].backgroundColor,
      };
    });
    const rgb = (c) => (c.startsWith('#') ? `rgb(${c.match(/[0-9a-f]{2}/gi).map((h) => parseInt(h, 16)).join(', ')})` : c);
    assert.ok(contrast(look.body, 'rgb(0, 0, 0)') < 1.5, `a dark page: ${look.body}`);
    assert.ok(contrast(look.text, look.body) >= 7, `text ${look.text} on ${look.body}`);
    for (const what of ['heading', 'label', 'tick']) {
      assert.ok(contrast(rgb(look[what]), look.card) >= 4.5, `${what} ${look[what]} on ${look.card}`);
    }
    assert.ok(contrast(rgb(look.bar), look.card) >= 3, `bars ${look.bar} on ${look.card}`);
    await page.keyboard.press('Tab');
    const ring = await focusRing(page, '#scope');
    assert.ok(contrast(ring.colour, ring.background) >= 3, `focus ${ring.colour} on ${ring.background}`);
    // The downloaded image is the same light picture.
    const [darkPng] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="threats"] [data-export="png"]')]);
    assert.ok((await readFile(await darkPng.path())).equals(lightBytes));
  } finally {
    await page.emulateMedia({colorScheme: 'light'});
  }
  assertClean(assert, browser.watch);
});

test('print: every pane in turn, no menus nor buttons', async () => {
  const page = await browser.page();
  await page.goto(server.url + '/');
  assert.equal(await cardState(page, 'threats'), 'ready');
  await page.emulateMedia({media: 'print'});
  try {
    for (const pane of ['threats', 'vulnerabilities', 'risks', 'riskmap', 'compliance']) {
      assert.equal(await page.isVisible(`#pane-${pane}`), true, pane);
    }
    for (const hidden of ['.site-nav', '.site-footer', '#dashboard-tabs', '.chart-actions']) {
      assert.equal(await page.isVisible(hidden), false, hidden);
    }
    assert.equal(await cardState(page, 'compliance'), 'ready');
    await page.waitForFunction(() => window.Chart.getChart(document.getElementById('compliance-chart')).width > 0);
  } finally {
    await page.emulateMedia({media: 'screen'});
  }
  assertClean(assert, browser.watch);
});

test('axe: no serious or critical violation in the dark theme, desktop and phone', async () => {
  for (const [viewport, mobile] of [[null, false], [PHONE, true]]) {
    const other = viewport ? await openBrowser({viewport, mobile}) : browser;
    try {
      const page = await other.page();
      await page.emulateMedia({colorScheme: 'dark'});
      for (const [route, card] of [['/', 'threats'], ['/#tab=riskmap', 'riskmap'], ['/#tab=compliance', 'compliance'],
                                   ['/evolution', 'evolution-threats'], ['/map/', null]]) {
        await page.goto(server.url + route);
        if (card) {
          assert.equal(await cardState(page, card), 'ready');
          await page.click(`[data-chart="${card}"] .chart-figures summary, [data-chart="${card}"] .heatmap-wrap`);
        } else {
          await page.waitForFunction(() => document.getElementById('map').dataset.state === 'ready');
        }
        assert.deepEqual(await axeViolations(page), [], `${mobile ? 'phone' : 'desktop'} ${route}`);
      }
      await page.emulateMedia({colorScheme: 'light'});
      assertClean(assert, other.watch);
    } finally {
      if (viewport) {
        await other.close();
      }
    }
  }
});
