/*
 * api-docs.js — starts Swagger UI on the /api/v1/ page with this instance's
 * OpenAPI document (its URL carries the proxy prefix, see #swagger-ui).
 * The online validator is switched off: the page makes no request elsewhere.
 *
 * Swagger UI writes markup made to be a page of its own inside ours; each time
 * it renders, `fitIntoPage` corrects what would break the page's structure for
 * assistive technologies (axe-core checks it in tests/browser/pages.test.mjs):
 * its title becomes a second-level heading (the page has one h1), its <main>
 * a named region (the page has one main landmark), the deep links inside the
 * operations' toggle buttons plain text (no link inside a button: the button
 * opens the operation, the address bar keeps the deep link), the server select
 * and the parameters' controls get names, and scrolling code examples a tab
 * stop.  Attributes only: React keeps owning the nodes.
 */
(function () {
  'use strict';

  const element = document.getElementById('swagger-ui');

  function fitIntoPage(root) {
    for (const title of root.querySelectorAll('h1.title:not([aria-level])')) {
      title.setAttribute('role', 'heading');
      title.setAttribute('aria-level', '2');
    }
    for (const main of root.querySelectorAll('main:not([role])')) {
      main.setAttribute('role', 'region');
      main.setAttribute('aria-label', 'Operations');
    }
    for (const link of root.querySelectorAll('button a[href]')) {
      link.removeAttribute('href');
    }
    for (const select of root.querySelectorAll('select#servers:not([aria-label])')) {
      select.setAttribute('aria-label', 'Server');
    }
    for (const row of root.querySelectorAll('tr[data-param-name]')) {
      for (const control of row.querySelectorAll('select:not([aria-label]), input:not([aria-label])')) {
        control.setAttribute('aria-label', row.dataset.paramName);
      }
    }
    for (const code of root.querySelectorAll('.highlight-code > pre:not([tabindex])')) {
      code.setAttribute('tabindex', '0'); /* scrollable: reachable with the keyboard */
    }
  }

  new MutationObserver(() => fitIntoPage(element)).observe(element, {childList: true, subtree: true});

  window.SwaggerUIBundle({
    url: element.dataset.spec,
    domNode: element,
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    defaultModelsExpandDepth: 0,
    // Its colour themes put numbers and strings below 4.5:1 on their dark
    // background (inline styles): the examples stay plain white on dark.
    syntaxHighlight: {activated: false},
    onComplete() {
      fitIntoPage(element);
      element.dataset.state = 'ready';
    },
  });
}());
