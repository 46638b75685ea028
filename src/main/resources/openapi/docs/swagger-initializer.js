// Swagger UI on this server's own description. A file rather than the inline script Swagger UI's
// own index.html uses, so the service's Content-Security-Policy (script-src 'self') holds.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // the public validator badge would send the document to a third party
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
