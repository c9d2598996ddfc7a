/*
 * object.js — the page of one threat or vulnerability (/object/<uuid>): its
 * figures in the current landscape from /stats/object/<uuid>.json, its names
 * in the four languages, its probability (or qualification) over the last year
 * from /stats/evolution/<type>.json, and links to its evolution (the evolution
 * page with it picked) and to MOSP.  The server answered 404 for an object it does not
 * show, so the page only has to draw.
 */
(function () {
  'use strict';

  const S = window.StatsWeb;
  const t = S.t;
  const page = document.getElementById('object');
  const uuid = page.dataset.object;
  const type = page.dataset.type;
  const status = document.getElementById('object-status');
  const body = document.getElementById('object-body');
  const text = (id, value) => { document.getElementById(id).textContent = value; };

  /* The evolution page with this object picked, as its permalink writes it. */
  const kind = type === 'threat' ? 'threats' : 'vulnerabilities';
  document.getElementById('object-evolution').href = S.prefix + '/evolution#evolution-' + kind + '.picks=' + uuid;
  text('object-kind', t('object.' + type));
  text('object-rate-name', t('object.rate.' + type));

  function draw(o) {
    const name = S.objectLabel(o.labels, uuid);
    text('object-heading', name);
    document.title = name + ' · ' + document.title.split(' · ').pop();
    text('object-rate', S.formatNumber(o.averages.averageRate));
    text('object-count', S.formatNumber(o.averages.count));
    text('object-max-risk', S.formatNumber(o.averages.maxRisk));
    text('object-rank', t('object.rank.' + type, {rank: S.formatNumber(o.rank), ranked: S.formatNumber(o.ranked)}));
    text('object-found-in', t('object.found_in', {analyses: S.formatNumber(o.analyses), organisations: S.formatNumber(o.organisations)}));
    text('object-data-up-to', o.data_up_to);
    // With a floor of 1 (the original's behaviour) there is no floor to explain.
    text('object-floor', S.minOrganisations > 1 ? t('object.floor', {needed: S.formatNumber(S.minOrganisations)}) : '');
    for (const key of ['label1', 'label2', 'label3', 'label4']) {
      text('object-' + key, o.labels[key] || '—');
    }
    body.hidden = false;
    status.textContent = '';
    page.dataset.state = 'ready';
  }

  async function load() {
    page.dataset.state = 'loading';
    status.textContent = t('loading');
    try {
      draw(await S.fetchJSON('/stats/object/' + uuid + '.json'));
      loadEvolution();
    } catch (error) {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'btn btn-sm btn-outline-secondary ms-2';
      retry.textContent = t('retry');
      retry.addEventListener('click', load);
      status.replaceChildren(t('object.error'), retry);
      page.dataset.state = 'error';
    }
  }

  /* Its rate over the last year, a point a week: the landscape as of each
   * date (a point below the privacy floor has no figure: a gap). */
  const EVOLUTION_DAYS = 365;
  const card = new S.ChartCard(document.querySelector('[data-chart="object-evolution"]'));
  const loadEvolution = () => S.guarded(card, async (isCurrent) => {
    const dateTo = S.today();
    const answer = await S.fetchJSON('/stats/evolution/' + type + '.json', {
      objects: uuid, step: 'week', date_to: dateTo, date_from: S.dayDate(S.dayNumber(dateTo) - EVOLUTION_DAYS)});
    if (!isCurrent()) {
      return;
    }
    const points = answer.length ? answer[0].points : [];
    if (!points.some((p) => p.averageRate !== null && p.averageRate !== undefined)) {
      card.showEmpty();
      return;
    }
    const metricName = t('object.rate.' + type);
    const colour = S.colourFor(uuid);
    const days = points.map((p) => S.dayNumber(p.date));
    const margin = Math.max(1, Math.round((Math.max(...days) - Math.min(...days)) / 40));   // end points drawn whole
    card.show({
      type: 'line',
      data: {datasets: [{label: metricName, borderColor: colour, backgroundColor: colour, tension: 0.2, pointRadius: 3,
        data: points.map((p) => ({x: S.dayNumber(p.date), y: p.averageRate}))}]},
      options: {
        interaction: {mode: 'nearest', intersect: false},
        plugins: {
          legend: {display: false},
          tooltip: {callbacks: {
            title: (items) => (items.length ? S.formatDay(items[0].parsed.x) : ''),
            label: (item) => metricName + ': ' + S.formatNumber(item.parsed.y),
          }},
        },
        scales: {
          x: {type: 'linear', min: Math.min(...days) - margin, max: Math.max(...days) + margin,
              ticks: {precision: 0, maxRotation: 0, autoSkipPadding: 12, callback: (day) => S.formatDay(day)}},
          y: {beginAtZero: true, title: {display: true, text: metricName}},
        },
      },
    }, [['date', 'averageRate', 'analyses', 'organisations']].concat(points.map((p) => [p.date, p.averageRate, p.analyses, p.organisations])));
  });

  load();
}());
