// The interactive API reference: Swagger UI (self-hosted under /vendor, so it works
// offline) over /openapi.json, with "Try it out" sending requests to this server.
window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  // Requests go to the origin serving the page (the spec names no servers): under
  // `npm start`, the local server.
  tryItOutEnabled: true,
  persistAuthorization: false,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
