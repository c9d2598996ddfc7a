/*
 * object.js — the page of one threat or vulnerability (/object/<uuid>): its
 * figures in the current landscape from /stats/object/<uuid>.json, its names
 * in the four languages, and links to its evolution (the evolution page with
 * it picked) and to MOSP.  The server answered 404 for an object it does not
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

  load();
}());
