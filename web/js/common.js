/*
 * common.js — what every dashboard page shares, as window.StatsWeb:
 * the page's settings (proxy prefix, language, texts), names of threats and
 * vulnerabilities in the reader's language, numbers and dates in it,
 * fetching the public JSON, Chart.js defaults and theme (light or dark),
 * colours, the view's state in the URL (permalinks), chart cards with their
 * loading, empty, below-the-floor and error states, their sample sizes and
 * their table of figures, trends, and the PNG and CSV downloads.
 *
 * The server writes the prefix and the language on <html> and the texts of
 * this language in <script type="application/json" id="i18n">: no inline
 * script runs, so the pages keep a strict Content-Security-Policy.
 */
(function () {
  'use strict';

  const root = document.documentElement;
  const prefix = root.dataset.prefix || '';
  /* The privacy floor (MIN_ORGANISATIONS): no figure rests on fewer organisations. */
  const minOrganisations = Number(root.dataset.minOrganisations) || 1;
  const lang = root.lang || 'en';
  const texts = JSON.parse(document.getElementById('i18n').textContent);
  const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  /* A text of this page's language, with {name} replaced from vars. */
  function t(key, vars) {
    let text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.split('{' + name + '}').join(String(value));
    }
    return text;
  }

  /* MONARC's labels: label1 French, label2 English, label3 German, label4 Dutch. */
  const LABEL_OF_LANGUAGE = {fr: 'label1', en: 'label2', de: 'label3', nl: 'label4'};
  const LABEL_FALLBACK = ['label2', 'label1', 'label3', 'label4'];

  /* The page of a threat or vulnerability (/object/<uuid>). */
  function objectPage(uuid) {
    return prefix + '/object/' + uuid;
  }

  /* The name of a threat, vulnerability, category or referential in the
   * reader's language, else in any language it has, else the fallback. */
  function objectLabel(labels, fallback) {
    if (labels) {
      const own = labels[LABEL_OF_LANGUAGE[lang]];
      if (own) {
        return own;
      }
      for (const key of LABEL_FALLBACK) {
        if (labels[key]) {
          return labels[key];
        }
      }
    }
    return fallback || '';
  }

  const numberFormat = new Intl.NumberFormat(lang, {maximumFractionDigits: 2});

  function formatNumber(value) {
    return value === null || value === undefined ? '' : numberFormat.format(value);
  }

  /* Shortens a long axis label; the tooltip keeps the whole text. */
  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
  }

  /* GET prefix + path with query parameters; the parsed JSON, or an Error. */
  async function fetchJSON(path, params) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null) {
        query.set(name, value);
      }
    }
    const url = prefix + path + (query.toString() ? '?' + query : '');
    const response = await fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
    if (!response.ok) {
      throw new Error(path + ': HTTP ' + response.status);
    }
    return response.json();
  }

  /* Colours that stay apart for readers with the common colour-vision
   * deficiencies, each 3:1 at least against both the light and the dark
   * background of the cards (relative luminance between 0.15 and 0.3), so
   * that a chart and its image read the same in either theme. */
  const PALETTE = ['#3572c6', '#c2670a', '#1f8f83', '#d0453a', '#8e6cc4', '#a27a2e', '#d1589a',
                   '#6b7d90', '#4f9a3a', '#1a98b0', '#4c78a8', '#e07b00', '#2a9d8f', '#e45756', '#b279a2'];
  /* The two series of a chart (current and residual or target). */
  const SERIES = {first: '#3572c6', second: '#b85c00'};

  /* The colour of an object (a threat, a vulnerability: its uuid) among those
   * in `taken`: its hash picks a slot of the palette, the next free one when
   * another shown object has it.  The same uuid gets the same colour in every
   * language and whatever else is ticked, collisions aside. */
  function colourFor(key, taken) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
    }
    for (let step = 0; step < PALETTE.length; step++) {
      const colour = PALETTE[(hash + step) % PALETTE.length];
      if (!taken || !taken.has(colour)) {
        return colour;
      }
    }
    return PALETTE[hash % PALETTE.length];
  }

  /* Dates on a time axis: an ISO day (2026-03-01) as a number of days since
   * 1970-01-01, and back to a date written in the reader's language. */
  const DAY_MS = 86400000;
  const dateFormat = new Intl.DateTimeFormat(lang, {year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC'});

  function dayNumber(isoDate) {
    return Math.round(Date.parse(isoDate + 'T00:00:00Z') / DAY_MS);
  }

  function dayDate(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  function formatDay(day) {
    return dateFormat.format(new Date(day * DAY_MS));
  }

  /* The sample sizes of a figure (risks, the risk map, a referential:
   * {analyses, organisations, data_up_to}) as a line under its title. */
  function upTo(date) {
    return date ? formatDay(dayNumber(date)) : '—';
  }

  function sampleOfFigure(figure) {
    return t('sample.figure', {analyses: formatNumber(figure.analyses), organisations: formatNumber(figure.organisations),
                               date: upTo(figure.data_up_to)});
  }

  /* The sample sizes of a list of items (threats, vulnerabilities): the
   * answer does not say how many analyses the whole list rests on (an
   * analysis may list several items), so the line says what each shown item
   * rests on at least, and the newest data among them (docs/privacy.md). */
  function sampleOfItems(items) {
    const least = (key) => Math.min(...items.map((item) => Number(item[key]) || 0));
    const newest = items.map((item) => item.data_up_to).filter(Boolean).sort().pop();
    return t('sample.items', {items: formatNumber(items.length), analyses: formatNumber(least('analyses')),
                              organisations: formatNumber(least('organisations')), date: upTo(newest)});
  }

  /* An item's value against the previous period: {arrow, text} ("▲",
   * "up from 3.2"), or null when there is no previous figure. */
  function trend(value, previous) {
    if (previous === null || previous === undefined || value === null || value === undefined) {
      return null;
    }
    const was = formatNumber(previous);
    if (formatNumber(value) === was) {
      return {arrow: '=', text: t('trend.same', {value: was})};
    }
    return value > previous ? {arrow: '▲', text: t('trend.up', {value: was})} : {arrow: '▼', text: t('trend.down', {value: was})};
  }

  /* Draws a white page under an exported chart, so that its PNG is not transparent. */
  const whiteBackground = {
    id: 'whiteBackground',
    beforeDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };

  /* Text and grid colours of the charts on screen: the page's theme
   * (prefers-color-scheme), followed when it changes.  Images stay light. */
  const LIGHT = {text: '#1f2937', grid: 'rgba(0, 0, 0, 0.1)'};
  const DARK = {text: '#e5e7eb', grid: 'rgba(229, 231, 235, 0.16)'};
  const darkScheme = window.matchMedia('(prefers-color-scheme: dark)');

  function applyTheme() {
    const theme = darkScheme.matches ? DARK : LIGHT;
    Chart.defaults.color = theme.text;
    Chart.defaults.borderColor = theme.grid;
    for (const chart of Object.values(Chart.instances)) {
      chart.update('none');
    }
  }

  if (window.Chart) {
    Chart.defaults.font.family = 'Inter, "Segoe UI", system-ui, sans-serif';
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.locale = lang;
    if (reducedMotion) {
      Chart.defaults.animation = false;
    }
    applyTheme();
    darkScheme.addEventListener('change', applyTheme);
    // Charts in panes a printout shows but the screen hid have no size yet.
    window.addEventListener('beforeprint', () => Object.values(Chart.instances).forEach((chart) => chart.resize()));
  }

  /* --- permalinks --- */

  /*
   * The state of the view (tab, period, each chart's options, the picks) in
   * the URL's fragment, "#scope=30&threats.top=5": restored on load, kept in
   * the language links, so that a reload, a language switch or a shared link
   * shows the same view.  Only what differs from the page's default is
   * written.  replaceState: choosing options adds no history entries.
   */
  const viewState = new URLSearchParams(location.hash.slice(1));

  function stateGet(key) {
    return viewState.get(key);
  }

  function stateSet(key, value, isDefault) {
    if (isDefault || value === null || value === undefined) {
      viewState.delete(key);
    } else {
      viewState.set(key, value);
    }
    viewState.sort();
    const fragment = stateFragment();
    history.replaceState(history.state, '', location.pathname + location.search + (fragment ? '#' + fragment : ''));
    updateLanguageLinks();
  }

  /* The state as a fragment; commas (between picked uuids) need no escape there. */
  function stateFragment() {
    return viewState.toString().replace(/%2C/gi, ',');
  }

  function updateLanguageLinks() {
    const fragment = stateFragment();
    for (const link of document.querySelectorAll('.lang-switch a[hreflang]')) {
      link.href = '?lang=' + link.hreflang + (fragment ? '#' + fragment : '');
    }
  }

  /* A <select> whose value lives in the state under key: set from the URL
   * now (when it holds one of its options), written back on each change. */
  function bindSelect(select, key) {
    const initial = Array.from(select.options).find((o) => o.defaultSelected) || select.options[0];
    const fallback = initial ? initial.value : '';
    const wanted = stateGet(key);
    if (wanted !== null && Array.from(select.options).some((o) => o.value === wanted)) {
      select.value = wanted;
    }
    select.addEventListener('change', () => stateSet(key, select.value, select.value === fallback));
  }

  updateLanguageLinks();
  // Another state typed or followed in this page's address (replaceState fires no hashchange): show it.
  window.addEventListener('hashchange', () => location.reload());

  /* --- downloads --- */

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  /* The <select> of the page's period (the landscape's scope, the evolution's
   * period): downloads name it in their file and in their name. */
  let periodSelect = null;

  function setPeriodSelect(select) {
    periodSelect = select;
  }

  /* The chosen period: key (for file names: "latest", "30d"), text (for an
   * image: the option's text and its dates) and csv ("latest", or the ISO
   * interval of its dates, "2026-09-05/2026-12-04"). */
  function currentPeriod() {
    if (!periodSelect) {
      return {key: '', text: '', csv: ''};
    }
    const text = periodSelect.selectedOptions[0].text;
    if (periodSelect.value === 'last') {
      return {key: 'latest', text, csv: 'latest'};
    }
    const end = dayNumber(today());
    const start = end - Number(periodSelect.value);
    return {key: periodSelect.value + 'd', text: text + ' (' + formatDay(start) + ' – ' + formatDay(end) + ')',
            csv: dayDate(start) + '/' + dayDate(end)};
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  /* A number as the shortest decimal that reads as what the charts show:
   * 3.0900000000000003 (binary noise of a mean) becomes 3.09. */
  function csvNumber(value) {
    return Number.isFinite(value) ? String(Number(value.toPrecision(12))) : '';
  }

  /* One CSV cell.  Text that a spreadsheet would run as a formula (=, +, -, @)
   * gets a leading quote: labels come from the analyses, not from us. */
  function csvCell(value) {
    if (typeof value === 'number') {
      return csvNumber(value);
    }
    let text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) {
      text = "'" + text;
    }
    return /[",;\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  /* UTF-8 with a byte-order mark, so that spreadsheets read the accents right. */
  function csvBlob(rows) {
    const text = rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
    return new Blob(['\ufeff' + text], {type: 'text/csv;charset=utf-8'});
  }

  /* PNG images carry their title, period and date in iTXt chunks (UTF-8
   * text that image viewers show), inserted after the header chunk. */
  const CRC_TABLE = Array.from({length: 256}, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return c >>> 0;
  });

  function pngChunk(type, data) {
    const chunk = new Uint8Array(12 + data.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, data.length);
    chunk.set(new TextEncoder().encode(type), 4);
    chunk.set(data, 8);
    let crc = 0xffffffff;
    for (const byte of chunk.subarray(4, 8 + data.length)) {
      crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    }
    view.setUint32(8 + data.length, (crc ^ 0xffffffff) >>> 0);
    return chunk;
  }

  async function pngWithText(blob, entries) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const headerEnd = 8 + 12 + 13;   // signature, then IHDR (length, type, 13 bytes, CRC)
    const encoder = new TextEncoder();
    const chunks = Object.entries(entries).filter(([, text]) => text).map(([keyword, text]) => {
      const head = encoder.encode(keyword + '\0\0\0' + lang + '\0\0');
      const body = encoder.encode(text);
      const data = new Uint8Array(head.length + body.length);
      data.set(head);
      data.set(body, head.length);
      return pngChunk('iTXt', data);
    });
    return new Blob([bytes.subarray(0, headerEnd), ...chunks, bytes.subarray(headerEnd)], {type: 'image/png'});
  }

  /* A long category label in lines of at most `width` characters (cut at
   * spaces), at most `lines` of them, the last one ending in "…" when the
   * label is longer: Chart.js draws an array as several lines. */
  function wrapLabel(text, width, lines) {
    const out = [];
    let rest = text.trim();
    while (rest && out.length < lines) {
      if (rest.length <= width) {
        out.push(rest);
        rest = '';
        break;
      }
      let cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) {   // a single word longer than a line: cut inside it
        cut = width;
      }
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    if (rest) {
      out[out.length - 1] = shorten(out[out.length - 1] + ' ' + rest, width);
    }
    return out.length === 1 ? out[0] : out;
  }

  /* The options of the image of a chart: its title, the period and the date
   * above it, every label whole, no tooltip nor hover, drawn at twice the
   * resolution whatever the screen. */
  const EXPORT_WIDTH = 1200;

  function exportOptions(options, title, subtitle) {
    const scales = Object.assign({}, options.scales);
    for (const axis of ['x', 'y']) {
      const scale = scales[axis] || {};
      scales[axis] = Object.assign({}, scale, {
        ticks: Object.assign({}, scale.ticks, {color: LIGHT.text}),
        grid: Object.assign({}, scale.grid, {color: LIGHT.grid}),
        border: Object.assign({}, scale.border, {color: LIGHT.grid}),
        title: Object.assign({}, scale.title, {color: LIGHT.text}),
      });
    }
    if (options.indexAxis === 'y') {
      scales.y = Object.assign({}, scales.y, {ticks: Object.assign({}, scales.y.ticks, {
        callback(value) { return wrapLabel(this.getLabelForValue(value), 70, 3); },
      })});
    }
    return Object.assign({}, options, {
      responsive: false,
      animation: false,
      devicePixelRatio: 2,
      events: [],
      scales,
      plugins: Object.assign({}, options.plugins, {
        legend: Object.assign({}, (options.plugins || {}).legend,
          {labels: Object.assign({}, ((options.plugins || {}).legend || {}).labels, {color: LIGHT.text})}),
        tooltip: {enabled: false},
        title: {display: true, text: title, align: 'start', font: {size: 18, weight: '600'}, color: '#1f2937'},
        subtitle: {display: true, text: subtitle, align: 'start', padding: {bottom: 12}, color: '#5a6b7b'},
      }),
    });
  }

  /*
   * A chart on the page: <div class="chart-card" data-chart="name"> holding a
   * canvas (or another drawing), an empty-state paragraph, option controls
   * [data-control] and [data-export] buttons.  data-state tells what it shows:
   * loading, ready, empty or error.
   */
  class ChartCard {
    constructor(element) {
      this.element = element;
      this.name = element.dataset.chart;
      this.canvas = element.querySelector('canvas');
      this.area = element.querySelector('.chart-area, .heatmap-wrap');
      this.emptyState = element.querySelector('.empty-state');
      this.chart = null;
      this.config = null;
      this.rows = null;
      this.pngSource = null;
      /* What tells this card's downloads apart beyond its name and the
       * period (the risk map's kind and state): {file, title} or null. */
      this.variant = () => null;
      this.generation = 0;
      /* Loads the card again after an error (set by guarded()). */
      this.retry = null;
      for (const button of element.querySelectorAll('[data-export]')) {
        button.addEventListener('click', () => this.export(button.dataset.export));
      }
      for (const control of element.querySelectorAll('select[data-control]')) {
        if (control.options.length) {
          bindSelect(control, this.name + '.' + control.dataset.control);
        }
      }
      const copy = element.querySelector('[data-copy-link]');
      if (copy) {
        copy.addEventListener('click', () => this.copyLink(copy));
      }
      this.status = document.createElement('p');
      this.status.className = 'chart-loading';
      this.status.setAttribute('role', 'status');
      this.area.before(this.status);
      /* What the shown figure rests on (setSample). */
      this.sample = document.createElement('p');
      this.sample.className = 'chart-sample form-text';
      this.status.before(this.sample);
      this.figures = this.makeFigures();
      this.setState('loading');
    }

    /* The chart's figures as a table behind a toggle: its text alternative,
     * readable with the keyboard and a screen reader (filled by show()). */
    makeFigures() {
      const details = document.createElement('details');
      details.className = 'chart-figures';
      details.hidden = true;
      const summary = document.createElement('summary');
      summary.textContent = t('figures.show');
      const wrap = document.createElement('div');
      wrap.className = 'table-responsive';
      // Scrolls sideways on a phone: focusable, so that the keyboard can scroll it.
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', t('figures.show'));
      details.append(summary, wrap);
      (this.element.querySelector('.chart-actions') || this.emptyState).before(details);
      return details;
    }

    /* extra: more columns, {heads: [text], cells(index): [text or Node]}, and
     * rowLink(index): the address the row's name links to (an object's page). */
    fillFigures(config, suffix, extra) {
      const format = (value) => (value === null || value === undefined ? '' : formatNumber(value) + suffix);
      const datasets = config.data.datasets;
      const timeAxis = !config.data.labels;
      const keys = timeAxis
        ? Array.from(new Set(datasets.flatMap((d) => d.data.map((p) => p.x)))).sort((a, b) => a - b)
        : config.data.labels.map((label, i) => i);
      const table = document.createElement('table');
      table.className = 'table table-sm figures-table';
      const caption = document.createElement('caption');
      caption.textContent = this.element.querySelector('h2').textContent;
      table.append(caption);
      const head = table.createTHead().insertRow();
      for (const text of [timeAxis ? t('figures.date') : ''].concat(datasets.map((d) => d.label), extra ? extra.heads : [])) {
        const th = document.createElement('th');
        th.scope = 'col';
        th.textContent = text;
        head.append(th);
      }
      const body = table.createTBody();
      for (const key of keys) {
        const tr = body.insertRow();
        const th = document.createElement('th');
        th.scope = 'row';
        const rowName = timeAxis ? formatDay(key) : config.data.labels[key];
        if (extra && extra.rowLink) {
          const link = document.createElement('a');
          link.href = extra.rowLink(key);
          link.textContent = rowName;
          th.append(link);
        } else {
          th.textContent = rowName;
        }
        tr.append(th);
        for (const d of datasets) {
          const point = timeAxis ? d.data.find((p) => p.x === key) : {y: d.data[key]};
          tr.insertCell().textContent = format(point ? point.y : null);
        }
        for (const cell of extra ? extra.cells(key) : []) {
          tr.insertCell().append(cell);
        }
      }
      this.figures.lastElementChild.replaceChildren(table);
      this.figures.hidden = false;
    }

    control(name) {
      return this.element.querySelector('[data-control="' + name + '"]');
    }

    /* Copies the link of the current view (its state in the fragment) and says so. */
    async copyLink(button) {
      const said = this.element.querySelector('.copy-status');
      try {
        await navigator.clipboard.writeText(location.href);
        said.textContent = t('link.copied');
      } catch (error) {
        said.textContent = t('link.failed', {url: location.href});
      }
      clearTimeout(this.copyTimer);
      this.copyTimer = setTimeout(() => { said.textContent = ''; }, 6000);
      button.focus();
    }

    /* Calls fn whenever one of the card's controls changes. */
    onChange(fn) {
      for (const control of this.element.querySelectorAll('[data-control]')) {
        control.addEventListener('change', fn);
      }
    }

    setState(state) {
      this.element.dataset.state = state;
      this.status.textContent = state === 'loading' ? t('loading') : '';
      for (const button of this.element.querySelectorAll('[data-export]')) {
        button.disabled = state !== 'ready';
      }
    }

    /* Draws (or redraws) a Chart.js chart; rows are what the CSV download
     * holds; suffix follows the values in the table of figures (" %"),
     * extra adds columns to it (see fillFigures). */
    show(config, rows, suffix, extra) {
      this.fillFigures(config, suffix || '', extra);
      this.config = config;
      this.rows = rows;
      this.pngSource = null;
      this.emptyState.hidden = true;
      this.area.hidden = false;
      if (this.chart && this.chart.config.type === config.type) {
        this.chart.data = config.data;
        this.chart.options = config.options;
        this.chart.update();
      } else {
        this.destroyChart();
        this.chart = new Chart(this.canvas, config);
      }
      this.setState('ready');
    }

    /* Shows another drawing than a chart (the risk map); png() makes its image. */
    showCustom(png, rows) {
      this.destroyChart();
      this.figures.hidden = true;
      this.rows = rows;
      this.pngSource = png;
      this.emptyState.hidden = true;
      this.area.hidden = false;
      this.setState('ready');
    }

    /* The line saying what the figure rests on; empty to say nothing. */
    setSample(text) {
      this.sample.textContent = text;
    }

    showMessage(state, message, hint) {
      this.destroyChart();
      this.setSample('');
      this.figures.hidden = true;
      this.rows = null;
      this.area.hidden = true;
      this.emptyState.replaceChildren();
      const strong = document.createElement('strong');
      strong.textContent = message;
      this.emptyState.append(strong);
      if (hint) {
        this.emptyState.append(' ' + hint);
      }
      this.emptyState.hidden = false;
      this.setState(state);
    }

    showEmpty(message) {
      this.showMessage('empty', message || t('empty'), message ? '' : t('empty_hint'));
    }

    /* The figure rests on fewer organisations than the privacy floor: the
     * server sent its sample sizes alone (docs/privacy.md). */
    showBelowFloor(answer) {
      this.showMessage('floor', t('floor', {needed: formatNumber(minOrganisations)}),
        t('floor_hint', {organisations: formatNumber(answer.organisations)}));
    }

    /* Stats were shared, but the floor left out every item of a list. */
    showItemsBelowFloor(hint) {
      this.showMessage('floor', t('floor', {needed: formatNumber(minOrganisations)}), hint || '');
    }

    /* The error state, with a button that loads the card again. */
    showError() {
      this.showMessage('error', t('error'));
      if (this.retry) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'btn btn-primary btn-sm retry';
        button.textContent = t('retry');
        button.addEventListener('click', () => {
          const heading = this.element.querySelector('h2');
          heading.tabIndex = -1;
          heading.focus();
          this.retry();
        });
        this.emptyState.append(document.createElement('br'), button);
      }
    }

    destroyChart() {
      if (this.chart) {
        this.chart.destroy();
        this.chart = null;
      }
    }

    /* The chart's title (its heading, and its variant), the period and the generation date. */
    describe() {
      const period = currentPeriod();
      const variant = this.variant();
      const heading = this.element.querySelector('h2').textContent.trim();
      return {
        period,
        title: variant ? heading + ' · ' + variant.title : heading,
        subtitle: [period.text, t('export.generated', {date: formatDay(dayNumber(today()))})].filter(Boolean).join(' · '),
        filename: [this.name, variant && variant.file, period.key, today()].filter(Boolean).join('-'),
      };
    }

    /* The chart drawn again off screen for its image (see exportOptions). */
    exportCanvas(about) {
      const base = this.config;
      const labels = (base.data.labels || []).length;
      const height = Math.max(this.area.clientHeight, base.options.indexAxis === 'y' ? labels * 44 + 140 : 0) + 70;
      const holder = document.createElement('div');
      holder.setAttribute('aria-hidden', 'true');
      holder.style.cssText = 'position:fixed;left:-20000px;top:0;width:' + EXPORT_WIDTH + 'px;height:' + height + 'px';
      const canvas = document.createElement('canvas');
      canvas.style.width = EXPORT_WIDTH + 'px';
      canvas.style.height = height + 'px';
      canvas.width = EXPORT_WIDTH;
      canvas.height = height;
      holder.append(canvas);
      document.body.append(holder);
      const data = Object.assign({}, base.data, {datasets: base.data.datasets.map((d) => Object.assign({}, d, {data: d.data.slice()}))});
      const chart = new Chart(canvas, {type: base.type, data, options: exportOptions(base.options, about.title, about.subtitle),
                                       plugins: [whiteBackground]});
      return {canvas, done() { chart.destroy(); holder.remove(); }};
    }

    export(kind) {
      const about = this.describe();
      if (kind === 'csv' && this.rows) {
        const rows = this.rows.map((row, i) => row.concat(i === 0 ? ['period'] : [about.period.csv || '']));
        download(csvBlob(rows), about.filename + '.csv');
      } else if (kind === 'png') {
        const image = this.pngSource ? {canvas: this.pngSource(about), done() {}} : this.exportCanvas(about);
        image.canvas.toBlob(async (blob) => {
          image.done();
          download(await pngWithText(blob, {Title: about.title, Description: about.subtitle, 'Creation Time': today(),
                                            Software: 'MONARC Stats Service'}), about.filename + '.png');
        }, 'image/png');
      }
    }
  }

  /* True when a whole figure (risks, cartography) is hidden by the privacy
   * floor: the answer holds its sample sizes and nothing else. */
  const SAMPLE_SIZES = ['analyses', 'organisations', 'data_up_to'];
  function belowFloor(answer) {
    return Boolean(answer) && !Array.isArray(answer) && Object.keys(answer).every((k) => SAMPLE_SIZES.includes(k)) &&
      answer.organisations > 0;
  }

  /* Runs a card's loading work, work(isCurrent): an answer that arrives after a
   * newer load started (isCurrent() false) must be dropped.  A card that fails
   * shows its error state instead of breaking the others. */

  async function guarded(card, work) {
    card.retry = () => guarded(card, work);
    const generation = ++card.generation;
    const isCurrent = () => generation === card.generation;
    card.setState('loading');
    try {
      await work(isCurrent);
    } catch (error) {
      if (isCurrent()) {
        card.showError();
      }
    }
  }

  window.StatsWeb = {
    prefix, lang, t, objectLabel, objectPage, formatNumber, fetchJSON, SERIES, colourFor, reducedMotion, dayNumber, formatDay,
    ChartCard, guarded, belowFloor, minOrganisations, sampleOfFigure, sampleOfItems, trend, csvBlob, download, setPeriodSelect, wrapLabel, stateGet, stateSet, bindSelect,
    today, dayDate,
  };
}());
