/*
 * evolution.js — the /evolution page: line charts over time of the chosen
 * threats and vulnerabilities (threat_average_on_date …, metric selectable)
 * and of the risk levels (risk_averages_on_date), over the chosen period.
 */
(function () {
  'use strict';

  const S = window.StatsWeb;
  const t = S.t;
  const period = document.getElementById('period');
  const DEFAULT_CHOSEN = 5;
  const LEVELS = [['Low risks', 'level.low', '#2a9d8f'], ['Medium risks', 'level.medium', '#e07b00'],
                  ['High risks', 'level.high', '#c0392b']];

  /* Every date of the lists, sorted: the x axis. */
  function allDates(lists) {
    const dates = new Set();
    for (const list of lists) {
      for (const entry of list) {
        dates.add(entry.date);
      }
    }
    return Array.from(dates).sort();
  }

  function lineOptions(yTitle) {
    return {
      interaction: {mode: 'nearest', intersect: false},
      plugins: {
        legend: {position: 'bottom', labels: {boxWidth: 12}},
        tooltip: {callbacks: {label: (item) => item.dataset.label + ': ' + S.formatNumber(item.raw)}},
      },
      scales: {y: {beginAtZero: true, title: {display: true, text: yTitle}}},
      spanGaps: true,
    };
  }

  /* kind: "threats" or "vulnerabilities". */
  function objectsOverTime(kind) {
    const card = new S.ChartCard(document.querySelector('[data-chart="evolution-' + kind + '"]'));
    const list = card.control('objects');
    let objects = [];

    const byName = (a, b) => S.objectLabel(a.labels, a.object).localeCompare(S.objectLabel(b.labels, b.object), S.lang);

    /* The ticked objects, by name (the order of the list and of the legend). */
    function chosen() {
      const checked = new Set(Array.from(list.querySelectorAll('input:checked'), (input) => input.value));
      return objects.filter((o) => checked.has(o.object)).sort(byName);
    }

    /* One checkbox per object, by name; the DEFAULT_CHOSEN highest by the metric are ticked. */
    function fillChoices() {
      const metric = card.control('metric').value;
      const ranked = objects.slice().sort((a, b) => b.averages[metric] - a.averages[metric] || a.object.localeCompare(b.object));
      const ticked = new Set(ranked.slice(0, DEFAULT_CHOSEN).map((o) => o.object));
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
        label.textContent = S.objectLabel(o.labels, o.object);
        wrapper.append(input, label);
        return wrapper;
      }));
    }

    function draw() {
      if (!objects.length) {
        card.showEmpty();
        return;
      }
      const metric = card.control('metric').value;
      const shown = chosen();
      if (!shown.length) {
        card.showEmpty(t('evolution.none'));
        return;
      }
      const dates = allDates(shown.map((o) => o.values));
      const metricName = t(metric === 'averageRate' ? 'metric.averageRate.' + kind : 'metric.' + metric);
      const rows = [['date', 'uuid', 'label', metric]];
      const datasets = shown.map((o, i) => {
        const label = S.objectLabel(o.labels, o.object);
        const byDate = new Map(o.values.map((v) => [v.date, v[metric]]));
        for (const v of o.values) {
          rows.push([v.date, o.object, label, v[metric]]);
        }
        const colour = S.PALETTE[i % S.PALETTE.length];
        return {label, data: dates.map((d) => (byDate.has(d) ? byDate.get(d) : null)),
                borderColor: colour, backgroundColor: colour, tension: 0.2, pointRadius: 3};
      });
      rows.splice(1, rows.length - 1, ...rows.slice(1).sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1])));
      card.show({type: 'line', data: {labels: dates, datasets}, options: lineOptions(metricName)}, rows);
    }

    card.control('metric').addEventListener('change', () => {
      fillChoices();
      draw();
    });
    list.addEventListener('change', draw);
    return () => S.guarded(card, async (isCurrent) => {
      const answer = await S.fetchJSON('/stats/' + kind + '.json', {days: period.value});
      if (isCurrent()) {
        objects = answer;
        fillChoices();
        draw();
      }
    });
  }

  function risksOverTime() {
    const card = new S.ChartCard(document.querySelector('[data-chart="evolution-risks"]'));
    let averages = null;

    function draw() {
      if (!averages) {
        return;
      }
      const kind = card.control('kind').value;
      const state = card.control('state').value;
      const levels = averages[state][kind];
      const dates = allDates(LEVELS.map(([level]) => levels[level]));
      if (!dates.length) {
        card.showEmpty();
        return;
      }
      const datasets = LEVELS.map(([level, key, colour]) => {
        const byDate = new Map(levels[level].map((v) => [v.date, v.value]));
        return {label: t(key), data: dates.map((d) => (byDate.has(d) ? byDate.get(d) : null)),
                borderColor: colour, backgroundColor: colour, tension: 0.2, pointRadius: 3};
      });
      const rows = [['date'].concat(LEVELS.map(([level]) => level))].concat(dates.map((d, i) =>
        [d].concat(datasets.map((ds) => ds.data[i]))));
      card.show({type: 'line', data: {labels: dates, datasets}, options: lineOptions(t('risks.axis'))}, rows);
    }

    card.onChange(draw);
    return () => S.guarded(card, async (isCurrent) => {
      const answer = await S.fetchJSON('/stats/risks.json', {processor: 'risk_averages_on_date', days: period.value});
      if (isCurrent()) {
        averages = answer;
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
