/*
 * open-data.js — the /open-data page: the date each dataset was generated,
 * read from the Last-Modified of its answer (the server keeps each answer
 * until its statistics change, so asking costs a cached answer at most; a GET,
 * which the browser revalidates with its ETag, rather than a HEAD, which some
 * proxies and browser tools handle badly).
 */
(function () {
  'use strict';

  const S = window.StatsWeb;
  const dateFormat = new Intl.DateTimeFormat(S.lang, {dateStyle: 'long', timeStyle: 'short'});

  for (const row of document.querySelectorAll('#open-data tr[data-dataset]')) {
    const link = row.querySelector('a[data-format]');
    const cell = row.querySelector('.generated');
    fetch(link.href, {credentials: 'same-origin'}).then((response) => {
      const modified = response.ok && response.headers.get('Last-Modified');
      cell.textContent = modified ? dateFormat.format(new Date(modified)) : '—';
      cell.dataset.generated = modified ? new Date(modified).toISOString() : '';
    }, () => {
      cell.textContent = '—';
    });
  }
}());
