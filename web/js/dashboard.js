/*
 * dashboard.js — the "current landscape" page (/): top threats, top
 * vulnerabilities, risks by level, the risk map and compliance, drawn from
 * the public JSON (/stats/*.json) over the analyses chosen in #scope.
 */
(function () {
  'use strict';

  const S = window.StatsWeb;
  const t = S.t;
  const scope = document.getElementById('scope');
  S.setPeriodSelect(scope);
  S.bindSelect(scope, 'scope');
  const LEVELS = [['Low risks', 'level.low'], ['Medium risks', 'level.medium'], ['High risks', 'level.high']];
  const STATES = ['current', 'residual'];
  const KINDS = ['informational', 'operational'];

  /* The query of the chosen scope: the latest stats of each analysis, or a period. */
  function scopeParams() {
    return scope.value === 'last' ? {last_stats: 1} : {days: scope.value};
  }

  function isPhone() {
    return window.matchMedia('(max-width: 575.98px)').matches;
  }

  /* A bar's label on the axis: whole when it fits, else on two lines (cut at
   * a space, the end shortened with "…"), narrower on a phone, so that labels
   * sharing their first words still differ; the tooltip and the table of
   * figures keep the whole text. */
  function barLabel(text) {
    return isPhone() ? S.wrapLabel(text, 20, 2) : S.wrapLabel(text, 44, 2);
  }

  /* On a phone a bar chart grows with its bars, so two-line labels have room. */
  function fitBars(card, bars) {
    card.area.style.height = isPhone() ? Math.max(400, bars * 38 + 90) + 'px' : '';
  }

  /* True when the chosen scope holds shared stats at all: a list the floor
   * emptied must say so, not "no statistics".  The risks' answer carries the
   * sample sizes of the whole selection, above or below the floor. */
  async function scopeHasStats() {
    const risks = await S.fetchJSON('/stats/risks.json', scopeParams());
    return Number(risks.analyses) > 0;
  }

  /* An item's trend next to its value: the arrow (hidden from screen
   * readers) and its words. */
  function trendCell(trend) {
    if (!trend) {
      return '';
    }
    const arrow = document.createElement('span');
    arrow.className = 'trend-arrow';
    arrow.setAttribute('aria-hidden', 'true');
    arrow.textContent = trend.arrow + ' ';
    const cell = document.createElement('span');
    cell.className = 'trend';
    cell.append(arrow, trend.text);
    return cell;
  }

  /* --- top threats and top vulnerabilities --- */

  /* kind: "threats" or "vulnerabilities" (the card's name and the JSON's). */
  function objectsChart(kind) {
    const card = new S.ChartCard(document.querySelector('[data-chart="' + kind + '"]'));
    const minAnalyses = card.control('min_analyses');
    let objects = null;
    /* Why the list is empty: 'empty' (no stats), 'floor' or 'min_analyses'. */
    let emptyBecause = 'empty';

    function draw() {
      if (!objects) {
        return;
      }
      if (!objects.length) {
        if (emptyBecause === 'floor') {
          card.showItemsBelowFloor(t('floor_items', {needed: S.formatNumber(S.minOrganisations)}));
        } else if (emptyBecause === 'min_analyses') {
          card.showMessage('empty', t('min_analyses_empty', {count: S.formatNumber(Number(minAnalyses.value))}), t('min_analyses_hint'));
        } else {
          card.showEmpty();
        }
        return;
      }
      const metric = card.control('metric').value;
      const top = Number(card.control('top').value);
      const sign = card.control('order').value === 'asc' ? 1 : -1;
      const chosen = objects.slice()
        .sort((a, b) => sign * (a.averages[metric] - b.averages[metric]) || a.object.localeCompare(b.object))
        .slice(0, top);
      const labels = chosen.map((o) => S.objectLabel(o.labels, o.object));
      const metricName = t(metric === 'averageRate' ? 'metric.averageRate.' + kind : 'metric.' + metric);
      const trends = chosen.map((o) => S.trend(o.averages[metric], o.previous ? o.previous[metric] : null));
      const foundIn = (o) => t('found_in', {analyses: S.formatNumber(o.analyses), organisations: S.formatNumber(o.organisations)});
      fitBars(card, chosen.length);
      card.show({
        type: 'bar',
        data: {
          labels,
          datasets: [{
            label: metricName,
            data: chosen.map((o) => o.averages[metric]),
            backgroundColor: kind === 'threats' ? S.SERIES.first : S.SERIES.second,
            borderRadius: 3,
          }],
        },
        options: {
          indexAxis: 'y',
          /* A bar opens its object's page (the table of figures links there too, for the keyboard). */
          onClick: (event, elements) => {
            if (elements.length) {
              location.assign(S.objectPage(chosen[elements[0].index].object));
            }
          },
          onHover: (event, elements) => {
            event.native.target.style.cursor = elements.length ? 'pointer' : '';
          },
          plugins: {
            legend: {display: false},
            tooltip: {callbacks: {
              label: (item) => metricName + ': ' + S.formatNumber(item.raw) +
                (trends[item.dataIndex] ? ' ' + trends[item.dataIndex].arrow + ' ' + trends[item.dataIndex].text : ''),
              afterLabel: (item) => foundIn(chosen[item.dataIndex]),
            }},
          },
          scales: {
            x: {beginAtZero: true, title: {display: true, text: metricName}},
            y: {ticks: {autoSkip: false, callback(value) { return barLabel(this.getLabelForValue(value)); }}},
          },
        },
      }, [['uuid', 'label', 'averageRate', 'count', 'maxRisk']].concat(chosen.map((o, i) => [
        o.object, labels[i], o.averages.averageRate, o.averages.count, o.averages.maxRisk])), '', {
        heads: [t('figures.found_in'), t('figures.trend')],
        cells: (i) => [S.formatNumber(chosen[i].analyses), trendCell(trends[i])],
        rowLink: (i) => S.objectPage(chosen[i].object),
      });
      card.setSample(S.sampleOfItems(chosen));
    }

    const load = () => S.guarded(card, async (isCurrent) => {
      const params = Object.assign(scopeParams(), minAnalyses.value ? {min_analyses: minAnalyses.value} : {});
      const answer = await S.fetchJSON('/stats/' + kind + '.json', params);
      const because = answer.length ? 'empty' : !(await scopeHasStats()) ? 'empty' : minAnalyses.value ? 'min_analyses' : 'floor';
      if (isCurrent()) {
        objects = answer;
        emptyBecause = because;
        draw();
      }
    });
    card.onChange((event) => (event.target === minAnalyses ? load() : draw()));
    return load;
  }

  /* --- risks by level --- */

  function riskCharts() {
    const cards = KINDS.map((kind) => new S.ChartCard(document.querySelector('[data-chart="risks-' + kind + '"]')));
    const stateColours = {current: S.SERIES.first, residual: S.SERIES.second};

    function draw(averages) {
      if (S.belowFloor(averages)) {
        cards.forEach((card) => card.showBelowFloor(averages));
        return;
      }
      const total = STATES.reduce((sum, state) => sum + KINDS.reduce((s, kind) =>
        s + LEVELS.reduce((l, [level]) => l + Number(averages[state][kind][level] || 0), 0), 0), 0);
      KINDS.forEach((kind, i) => {
        if (total === 0) {
          cards[i].showEmpty();
          return;
        }
        const values = (state) => LEVELS.map(([level]) => averages[state][kind][level]);
        cards[i].setSample(S.sampleOfFigure(averages));
        cards[i].show({
          type: 'bar',
          data: {
            labels: LEVELS.map(([, key]) => t(key)),
            datasets: STATES.map((state) => ({
              label: t('state.' + state), data: values(state), backgroundColor: stateColours[state], borderRadius: 3,
            })),
          },
          options: {
            plugins: {tooltip: {callbacks: {label: (item) => item.dataset.label + ': ' + S.formatNumber(item.raw)}}},
            scales: {y: {beginAtZero: true, title: {display: true, text: t('risks.axis')}}},
          },
        }, [['level', 'current', 'residual']].concat(LEVELS.map(([level], l) =>
          [t(LEVELS[l][1]), averages.current[kind][level], averages.residual[kind][level]])));
      });
    }

    let generation = 0;
    const load = async () => {
      const mine = ++generation;
      cards.forEach((card) => card.setState('loading'));
      try {
        const averages = await S.fetchJSON('/stats/risks.json', scopeParams());
        if (mine === generation) {
          draw(averages);
        }
      } catch (error) {
        if (mine === generation) {
          cards.forEach((card) => card.showError());
        }
      }
    };
    cards.forEach((card) => { card.retry = load; });
    return load;
  }

  /* --- the risk map --- */

  /* The level of a cell of the risk map, as MONARC colours it: its value
   * (impact × likelihood or probability) against MONARC's default thresholds
   * of an analysis (seuil1 = seuilRolf1 = 4, seuil2 = seuilRolf2 = 8); the
   * stats carry no threshold of their own.  The colour tells the level, the
   * number the risks: dark text on light tints, 4.5:1 at least. */
  const RISK_THRESHOLDS = [4, 8];
  const RISK_LEVELS = [
    {name: 'low', fill: '#cdebd3', text: '#1f2937'},
    {name: 'medium', fill: '#fbdfae', text: '#1f2937'},
    {name: 'high', fill: '#f4b6b0', text: '#1f2937'},
  ];

  function riskLevel(impact, column) {
    const value = impact * column;
    return RISK_LEVELS[value <= RISK_THRESHOLDS[0] ? 0 : value <= RISK_THRESHOLDS[1] ? 1 : 2];
  }

  function sortedKeys(...lists) {
    const all = new Set();
    for (const list of lists) {
      for (const key of list) {
        all.add(Number(key));
      }
    }
    return Array.from(all).sort((a, b) => a - b);
  }

  /* The matrix chosen by the controls: rows (impacts, highest first), columns and counts. */
  function riskMatrix(map, kind, state) {
    const cells = map.risks[state][kind] || {};
    const columnScale = kind === 'informational' ? map.scales.likelihood : map.scales.probability;
    const columnKeys = Object.values(cells).flatMap((row) => Object.keys(row));
    const rows = sortedKeys(map.scales.impact, Object.keys(cells)).reverse();
    const columns = sortedKeys(columnScale, columnKeys);
    const counts = rows.map((r) => columns.map((c) => Number((cells[String(r)] || {})[String(c)] || 0)));
    return {rows, columns, counts, columnName: t(kind === 'informational' ? 'riskmap.likelihood' : 'riskmap.probability')};
  }

  function heatmapTable(m) {
    const table = document.createElement('table');
    table.className = 'heatmap';
    const caption = document.createElement('caption');
    caption.textContent = t('riskmap.caption', {columns: m.columnName.toLowerCase()});
    table.append(caption);
    const head = table.createTHead().insertRow();
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = t('riskmap.impact') + ' \\ ' + m.columnName;
    head.append(corner);
    for (const column of m.columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = column;
      head.append(th);
    }
    const body = table.createTBody();
    m.rows.forEach((row, r) => {
      const tr = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = row;
      tr.append(th);
      m.counts[r].forEach((count, c) => {
        const td = tr.insertCell();
        const level = riskLevel(row, m.columns[c]);
        td.textContent = count;
        td.dataset.level = level.name;
        td.title = t('riskmap.level.' + level.name);
        td.style.backgroundColor = level.fill;
        td.style.color = level.text;
        td.classList.toggle('zero', count === 0);
      });
    });
    return table;
  }

  function riskLegend() {
    const legend = document.createElement('ul');
    legend.className = 'risk-legend';
    legend.setAttribute('aria-label', t('riskmap.legend'));
    for (const level of RISK_LEVELS) {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.dataset.level = level.name;
      swatch.style.backgroundColor = level.fill;
      item.append(swatch, t('riskmap.level.' + level.name));
      legend.append(item);
    }
    return legend;
  }

  /* The same matrix drawn on a canvas, for the PNG download: its title, the
   * period and the date above it, at twice the resolution. */
  function heatmapCanvas(m, about) {
    const scale = 2;
    const cell = 44;
    const left = 90;
    const top = 110;
    const canvas = document.createElement('canvas');
    const width = Math.max(left + cell * m.columns.length + 20, 720);
    const height = top + cell * m.rows.length + 50;
    canvas.width = width * scale;
    canvas.height = height * scale;
    const ctx = canvas.getContext('2d');
    ctx.scale(scale, scale);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#1f2937';
    ctx.font = '600 18px Inter, sans-serif';
    ctx.fillText(about.title, 10, 28, width - 20);
    ctx.fillStyle = '#5a6b7b';
    ctx.font = '13px Inter, sans-serif';
    ctx.fillText(about.subtitle, 10, 52, width - 20);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#1f2937';
    m.columns.forEach((column, c) => ctx.fillText(String(column), left + c * cell + cell / 2, top - 14));
    m.rows.forEach((row, r) => {
      ctx.fillStyle = '#1f2937';
      ctx.fillText(String(row), left - 20, top + r * cell + cell / 2);
      m.counts[r].forEach((count, c) => {
        const level = riskLevel(row, m.columns[c]);
        ctx.fillStyle = level.fill;
        ctx.fillRect(left + c * cell, top + r * cell, cell - 2, cell - 2);
        ctx.fillStyle = level.text;
        ctx.fillText(String(count), left + c * cell + cell / 2 - 1, top + r * cell + cell / 2 - 1);
      });
    });
    ctx.fillStyle = '#1f2937';
    ctx.fillText(m.columnName + ' →', left + (cell * m.columns.length) / 2, top + cell * m.rows.length + 22);
    ctx.textAlign = 'left';
    let x = 10;
    for (const level of RISK_LEVELS) {
      ctx.fillStyle = level.fill;
      ctx.fillRect(x, 70, 14, 14);
      ctx.fillStyle = '#1f2937';
      const text = t('riskmap.level.' + level.name);
      ctx.fillText(text, x + 20, 77);
      x += 20 + ctx.measureText(text).width + 18;
    }
    ctx.textAlign = 'center';
    ctx.save();
    ctx.translate(22, top + (cell * m.rows.length) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(t('riskmap.impact') + ' →', 0, 0);
    ctx.restore();
    return canvas;
  }

  function riskMap() {
    const card = new S.ChartCard(document.querySelector('[data-chart="riskmap"]'));
    const wrap = card.element.querySelector('.heatmap-wrap');
    const summary = card.element.querySelector('.riskmap-summary');
    let map = null;
    card.variant = () => ({
      file: card.control('kind').value + '-' + card.control('state').value,
      title: card.control('kind').selectedOptions[0].text + ' · ' + card.control('state').selectedOptions[0].text,
    });

    function draw() {
      if (!map) {
        return;
      }
      if (S.belowFloor(map)) {
        summary.textContent = '';
        card.showBelowFloor(map);
        return;
      }
      if (!map.analyses) {
        summary.textContent = '';
        card.showEmpty();
        return;
      }
      const kind = card.control('kind').value;
      const state = card.control('state').value;
      const m = riskMatrix(map, kind, state);
      const risks = m.counts.flat().reduce((a, b) => a + b, 0);
      summary.textContent = t('riskmap.summary', {analyses: map.analyses, risks});
      card.setSample(S.sampleOfFigure(map));
      wrap.replaceChildren(heatmapTable(m), riskLegend());
      card.showCustom((about) => heatmapCanvas(m, about),
        [['impact'].concat(m.columns.map(String))].concat(m.rows.map((row, r) => [row].concat(m.counts[r]))));
    }

    card.onChange(draw);
    return () => S.guarded(card, async (isCurrent) => {
      const answer = await S.fetchJSON('/stats/cartography.json', scopeParams());
      if (isCurrent()) {
        map = answer;
        draw();
      }
    });
  }

  /* --- compliance --- */

  function complianceChart() {
    const card = new S.ChartCard(document.querySelector('[data-chart="compliance"]'));
    const select = card.control('referential');
    const summary = card.element.querySelector('.compliance-summary');
    let referentials = null;
    let mostUsed = null;
    select.addEventListener('change', () => S.stateSet('compliance.referential', select.value, select.value === mostUsed));

    /* The referentials by name; the one chosen before (or named by the URL)
     * stays, else the one most analyses use. */
    function fillChoices() {
      const before = select.value || S.stateGet('compliance.referential');
      const name = (r) => S.objectLabel(r.labels, r.referential);
      select.replaceChildren(...referentials.slice().sort((a, b) => name(a).localeCompare(name(b), S.lang))
        .map((r) => new Option(name(r), r.referential)));
      const most = referentials.reduce((best, r) => (r.analyses > best.analyses ? r : best), referentials[0]);
      select.value = referentials.some((r) => r.referential === before) ? before : most.referential;
      mostUsed = most.referential;
    }

    function draw() {
      if (!referentials) {
        return;
      }
      const referential = referentials.find((r) => r.referential === select.value);
      if (!referential || !referential.categories.length) {
        summary.textContent = '';
        card.showEmpty();
        return;
      }
      summary.textContent = t('compliance.summary', {analyses: referential.analyses});
      card.setSample(S.sampleOfFigure(referential));
      const categories = referential.categories;
      const labels = categories.map((c, i) => S.objectLabel(c.labels, '#' + (i + 1)));
      const percent = (value) => Math.round(Number(value) * 1000) / 10;
      fitBars(card, categories.length);
      card.show({
        type: 'bar',
        data: {
          labels,
          datasets: [
            {label: t('compliance.current'), data: categories.map((c) => percent(c.current)), backgroundColor: S.SERIES.first, borderRadius: 3},
            {label: t('compliance.target'), data: categories.map((c) => percent(c.target)), backgroundColor: S.SERIES.second, borderRadius: 3},
          ],
        },
        options: {
          indexAxis: 'y',
          plugins: {tooltip: {callbacks: {label: (item) => item.dataset.label + ': ' + S.formatNumber(item.raw) + ' %'}}},
          scales: {
            x: {beginAtZero: true, max: 100, title: {display: true, text: t('compliance.axis')}},
            y: {ticks: {autoSkip: false, callback(value) { return barLabel(this.getLabelForValue(value)); }}},
          },
        },
      }, [['category', 'current_percent', 'target_percent', 'controls']].concat(categories.map((c, i) =>
        [labels[i], percent(c.current), percent(c.target), c.controls])), ' %');
    }

    select.addEventListener('change', draw);
    return () => S.guarded(card, async (isCurrent) => {
      const answer = await S.fetchJSON('/stats/compliance.json', scopeParams());
      if (!isCurrent()) {
        return;
      }
      const floored = !answer.length && await scopeHasStats();
      if (!isCurrent()) {
        return;
      }
      referentials = answer;
      if (!referentials.length) {
        select.replaceChildren();
        select.disabled = true;
        summary.textContent = '';
        if (floored) {
          card.showItemsBelowFloor();
        } else {
          card.showEmpty();
        }
        return;
      }
      select.disabled = false;
      fillChoices();
      draw();
    });
  }

  const loaders = [objectsChart('threats'), objectsChart('vulnerabilities'), riskCharts(), riskMap(), complianceChart()];
  function loadAll() {
    loaders.forEach((load) => load());
  }

  /* Tabs wider than the screen scroll sideways: a shade and an arrow at the
   * side that hides more (data-more: start, end or both), the arrow scrolls. */
  const scroller = document.querySelector('.tabs-scroller');
  const tabList = document.getElementById('dashboard-tabs');
  function markMore() {
    const left = tabList.scrollLeft > 1;
    const right = tabList.scrollLeft + tabList.clientWidth < tabList.scrollWidth - 1;
    scroller.dataset.more = [left ? 'start' : '', right ? 'end' : ''].filter(Boolean).join(' ');
  }
  for (const [button, sign] of [[scroller.querySelector('.tabs-more-start'), -1], [scroller.querySelector('.tabs-more-end'), 1]]) {
    button.addEventListener('click', () => tabList.scrollBy({left: sign * tabList.clientWidth * 0.7, behavior: S.reducedMotion ? 'auto' : 'smooth'}));
  }
  tabList.addEventListener('scroll', markMore, {passive: true});
  // Bootstrap moves the focus between tabs without scrolling: bring the focused one into view.
  tabList.addEventListener('focusin', (event) => event.target.scrollIntoView({block: 'nearest', inline: 'nearest'}));
  window.addEventListener('resize', markMore);
  markMore();

  /* A chart drawn while its tab was hidden has no size: let it measure
   * again.  The tab shown is part of the view's state. */
  const tabs = Array.from(document.querySelectorAll('#dashboard-tabs [data-bs-toggle="tab"]'));
  const tabName = (tab) => tab.id.replace(/^tab-/, '');
  const wantedTab = tabs.find((tab) => tabName(tab) === S.stateGet('tab'));
  if (wantedTab) {
    bootstrap.Tab.getOrCreateInstance(wantedTab).show();
  }
  for (const tab of tabs) {
    tab.addEventListener('shown.bs.tab', () => {
      S.stateSet('tab', tabName(tab), tab === tabs[0]);
      const pane = document.querySelector(tab.dataset.bsTarget);
      for (const canvas of pane.querySelectorAll('canvas')) {
        const chart = Chart.getChart(canvas);
        if (chart) {
          chart.resize();
        }
      }
    });
  }
  scope.addEventListener('change', loadAll);
  loadAll();
}());
