// Swagger UI over the ingress's own OpenAPI description (served next to it, no CDN).
window.ui = SwaggerUIBundle({ url: '/openapi.yaml', dom_id: '#swagger-ui' });
