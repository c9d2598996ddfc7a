/*
 * api-docs.js — starts Swagger UI on the /api/v1/ page with this instance's
 * OpenAPI document (its URL carries the proxy prefix, see #swagger-ui).
 * The online validator is switched off: the page makes no request elsewhere.
 */
(function () {
  'use strict';

  const element = document.getElementById('swagger-ui');
  window.SwaggerUIBundle({
    url: element.dataset.spec,
    domNode: element,
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    defaultModelsExpandDepth: 0,
    onComplete() {
      element.dataset.state = 'ready';
    },
  });
}());
