/*
 * evolution.js — the /evolution page: line charts over time of the chosen
 * threats and vulnerabilities (/stats/evolution/<type>.json: the landscape as
 * of each day or week, metric selectable; the objects to choose from are the
 * landscape's, /stats/<kind>.json) and of the risk levels
 * (/stats/evolution/risk.json, the same method), over the chosen period.
 */
(function () {
  'use strict';

  const S = window.StatsWeb;
  const t = S.t;
  const period = document.getElementById('period');
  S.setPeriodSelect(period);
  S.bindSelect(period, 'period');
  const DEFAULT_CHOSEN = 5;
  /* The evolution answers at most this many objects at once. */
  const MAX_DRAWN = 20;
  /* Daily points up to half a year, weekly beyond (at most 1000 points). */
  const stepOf = (days) => (Number(days) > 180 ? 'week' : 'day');
  const LEVELS = [['Low risks', 'level.low', '#2a9d8f'], ['Medium risks', 'level.medium', '#e07b00'],
                  ['High risks', 'level.high', '#d0453a']];

  /* Every date of the lists, sorted. */
  function allDates(lists) {
    const dates = new Set();
    for (const list of lists) {
      for (const entry of list) {
        dates.add(entry.date);
      }
    }
    return Array.from(dates).sort();
  }

  /* Lines over a time axis: x is a day number (S.dayNumber), so that dates
   * are spaced by the time between them, and written as dates. */
  function lineOptions(yTitle, dates) {
    const first = S.dayNumber(dates[0]);
    const last = S.dayNumber(dates[dates.length - 1]);
    const margin = Math.max(1, Math.round((last - first) / 40));   // the end points drawn whole
    return {
      interaction: {mode: 'nearest', intersect: false},
      plugins: {
        legend: {position: 'bottom', labels: {boxWidth: 12}},
        tooltip: {callbacks: {
          title: (items) => (items.length ? S.formatDay(items[0].parsed.x) : ''),
          label: (item) => item.dataset.label + ': ' + S.formatNumber(item.parsed.y),
          afterLabel: (item) => (item.raw.sample ? t('evolution.point_sample', {
            analyses: S.formatNumber(item.raw.sample.analyses),
            organisations: S.formatNumber(item.raw.sample.organisations)}) : ''),
        }},
      },
      scales: {
        x: {type: 'linear', min: first - margin, max: last + margin,
            ticks: {precision: 0, includeBounds: false, maxRotation: 0, autoSkipPadding: 12, callback: (day) => S.formatDay(day)}},
        y: {beginAtZero: true, title: {display: true, text: yTitle}},
      },
    };
  }

  /* A line of {date, value} points on the time axis; a point may carry its
   * sample sizes (analyses, organisations) for the tooltip. */
  function line(label, colour, points) {
    /* A point a day draws a line, not a row of beads: points show on hover. */
    return {label, data: points.map(([date, value, sample]) => ({x: S.dayNumber(date), y: value, sample})),
            borderColor: colour, backgroundColor: colour, tension: 0.2,
            pointRadius: points.length > 60 ? 0 : 3, pointHoverRadius: 4};
  }

  /* Text compared without case or accents, for the pickers' filter. */
  function folded(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  /* kind: "threats" or "vulnerabilities". */
  function objectsOverTime(kind) {
    const type = kind === 'threats' ? 'threat' : 'vulnerability';
    const card = new S.ChartCard(document.querySelector('[data-chart="evolution-' + kind + '"]'));
    const list = card.control('objects');
    const filter = card.element.querySelector('[data-filter]');
    const filterStatus = card.element.querySelector('.object-filter-status');
    const pickedCount = card.element.querySelector('.object-picker-count');
    let objects = [];
    /* The objects the reader ticked (uuids), or null while the default (the
     * highest by the metric) stands; kept across metrics, and across periods
     * while one of them is still there. */
    const picksKey = 'evolution-' + kind + '.picks';
    let picked = S.stateGet(picksKey) === null ? null : new Set(S.stateGet(picksKey).split(',').filter((uuid) => uuid && uuid !== '-'));
    /* The colour each drawn object has had: it keeps it while it is shown. */
    const colours = new Map();

    const name = (o) => S.objectLabel(o.labels, o.object);
    const byName = (a, b) => name(a).localeCompare(name(b), S.lang);

    /* The objects to draw, by name (the order of the list and of the legend). */
    function chosen() {
      if (picked) {
        return objects.filter((o) => picked.has(o.object)).sort(byName);
      }
      const metric = card.control('metric').value;
      return objects.slice()
        .sort((a, b) => b.averages[metric] - a.averages[metric] || a.object.localeCompare(b.object))
        .slice(0, DEFAULT_CHOSEN).sort(byName);
    }

    /* One checkbox per object, by name; the chosen ones ticked. */
    function fillChoices() {
      const ticked = new Set(chosen().map((o) => o.object));
      list.replaceChildren(...objects.slice().sort(byName).map((o, i) => {
        const id = 'evolution-' + kind + '-' + i;
        const wrapper = document.createElement('div');
        wrapper.className = 'form-check';
        const input = document.createElement('input');
        input.type = 'checkbox';
        input.className = 'form-check-input';
        input.id = id;
        input.value = o.object;
        input.checked = ticked.has(o.object);
        const label = document.createElement('label');
        label.className = 'form-check-label';
        label.htmlFor = id;
        label.textContent = name(o);
        wrapper.dataset.search = folded(name(o));
        wrapper.append(input, label);
        return wrapper;
      }));
      applyFilter();
    }

    /* Hides the choices whose name does not hold every word typed in the filter. */
    function applyFilter() {
      const words = folded(filter.value).split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const wrapper of list.children) {
        wrapper.hidden = !words.every((w) => wrapper.dataset.search.includes(w));
        shown += wrapper.hidden ? 0 : 1;
      }
      filterStatus.textContent = words.length ? t('evolution.filter_status', {shown, total: list.children.length}) : '';
    }

    /* The landscape as of each point of the period, for the shown objects:
     * fetched when the period or the shown objects change, not the metric. */
    let lines = null;
    let linesKey = '';

    async function draw(isCurrent) {
      if (!objects.length) {
        pickedCount.textContent = '';
        card.showEmpty();
        return;
      }
      const metric = card.control('metric').value;
      const shown = chosen();
      pickedCount.textContent = t('evolution.picked', {count: shown.length}) +
        (shown.length > MAX_DRAWN ? ' ' + t('evolution.max_drawn', {max: MAX_DRAWN}) : '');
      if (!shown.length) {
        card.showEmpty(t('evolution.none'));
        return;
      }
      const drawn = shown.slice(0, MAX_DRAWN);
      const key = period.value + '|' + drawn.map((o) => o.object).sort().join(',');
      if (key !== linesKey) {
        const dateTo = S.today();
        const answer = await S.fetchJSON('/stats/evolution/' + type + '.json', {
          objects: drawn.map((o) => o.object).join(','), date_to: dateTo, step: stepOf(period.value),
          date_from: S.dayDate(S.dayNumber(dateTo) - Number(period.value))});
        if (!isCurrent()) {
          return;
        }
        lines = new Map(answer.map((entry) => [entry.object, entry.points]));
        linesKey = key;
      }
      const points = (o) => lines.get(o.object) || [];
      const dates = allDates(drawn.map(points));
      const metricName = t(metric === 'averageRate' ? 'metric.averageRate.' + kind : 'metric.' + metric);
      const rows = [['date', 'uuid', 'label', metric, 'analyses', 'organisations']];
      for (const uuid of Array.from(colours.keys())) {
        if (!shown.some((o) => o.object === uuid)) {
          colours.delete(uuid);
        }
      }
      for (const o of drawn.slice().sort((a, b) => a.object.localeCompare(b.object))) {
        if (!colours.has(o.object)) {
          colours.set(o.object, S.colourFor(o.object, new Set(colours.values())));
        }
      }
      /* A point without a figure (nothing standing, or below the privacy
       * floor) is a gap in its line and an empty cell of the table. */
      const datasets = drawn.map((o) => {
        for (const p of points(o)) {
          rows.push([p.date, o.object, name(o), p[metric], p.analyses, p.organisations]);
        }
        return line(name(o), colours.get(o.object), points(o).map((p) => [p.date, p[metric], p]));
      });
      rows.splice(1, rows.length - 1, ...rows.slice(1).sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1])));
      card.show({type: 'line', data: {datasets}, options: lineOptions(metricName, dates)}, rows);
    }

    const redraw = () => S.guarded(card, draw);
    card.control('metric').addEventListener('change', () => {
      fillChoices();
      redraw();
    });
    list.addEventListener('change', () => {
      picked = new Set(Array.from(list.querySelectorAll('input:checked'), (input) => input.value));
      S.stateSet(picksKey, Array.from(picked).sort().join(',') || '-');
      redraw();
    });
    filter.addEventListener('input', applyFilter);
    filter.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && filter.value) {
        event.preventDefault();
        filter.value = '';
        applyFilter();
      }
    });
    card.element.querySelector('form').addEventListener('submit', (event) => event.preventDefault());
    return () => S.guarded(card, async (isCurrent) => {
      const answer = await S.fetchJSON('/stats/' + kind + '.json', {days: period.value});
      if (isCurrent()) {
        objects = answer;
        if (picked && picked.size && !objects.some((o) => picked.has(o.object))) {
          picked = null;   // none of the reader's picks in this period: the default again
          S.stateSet(picksKey, null);
        }
        fillChoices();
        await draw(isCurrent);
      }
    });
  }

  /* The risk levels' landscape as of each point of the period
   * (/stats/evolution/risk.json, every state and kind fetched at once): one
   * line per level of the chosen kind and state. */
  function risksOverTime() {
    const card = new S.ChartCard(document.querySelector('[data-chart="evolution-risks"]'));
    let points = null;

    function draw() {
      if (!points) {
        return;
      }
      const standing = points.filter((p) => p.analyses > 0);
      if (!standing.length) {
        card.showEmpty();
        return;
      }
      /* Not one point the floor lets show: the card says so rather than draw empty lines. */
      if (standing.every((p) => p.organisations < S.minOrganisations)) {
        card.showBelowFloor({organisations: Math.max(...standing.map((p) => p.organisations))});
        return;
      }
      const kind = card.control('kind').value;
      const state = card.control('state').value;
      /* A point without a figure (nothing standing, or below the privacy
       * floor) is a gap in the lines and an empty cell of the table. */
      const value = (p, level) => (p[state] ? p[state][kind][level] : null);
      const datasets = LEVELS.map(([level, key, colour]) =>
        line(t(key), colour, points.map((p) => [p.date, value(p, level), p])));
      const rows = [['date'].concat(LEVELS.map(([level]) => level), ['analyses', 'organisations'])].concat(
        points.map((p) => [p.date].concat(LEVELS.map(([level]) => value(p, level)), [p.analyses, p.organisations])));
      card.show({type: 'line', data: {datasets}, options: lineOptions(t('risks.axis'), points.map((p) => p.date))}, rows);
    }

    card.onChange(draw);
    return () => S.guarded(card, async (isCurrent) => {
      const dateTo = S.today();
      const answer = await S.fetchJSON('/stats/evolution/risk.json', {
        date_to: dateTo, step: stepOf(period.value), date_from: S.dayDate(S.dayNumber(dateTo) - Number(period.value))});
      if (isCurrent()) {
        points = answer.points;
        draw();
      }
    });
  }

  const loaders = [objectsOverTime('threats'), objectsOverTime('vulnerabilities'), risksOverTime()];
  function loadAll() {
    loaders.forEach((load) => load());
  }
  period.addEventListener('change', loadAll);
  loadAll();
}());
