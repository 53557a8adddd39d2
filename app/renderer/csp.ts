// The renderer's Content-Security-Policy, one string for every host: the <meta> tag written into
// index.html at build time (vite.config.ts), Electron's response headers, and the web bridge's
// response headers. No inline script, no eval, no remote anything; `connect-src 'self'` covers the
// web bridge's own WebSocket (CSP3 lets 'self' match ws: on the same host and port).

export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'object-src': "'none'",
};

/** Policy for a <meta> tag (frame-ancestors and sandbox are ignored there, so left out). */
export const CSP_META = Object.entries(CSP_DIRECTIVES)
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');

/**
 * Policy for an HTTP header: also forbids framing, and sandboxes the document without
 * allow-popups (so window.open returns null) and without allow-top-navigation/-downloads.
 */
export const CSP_HEADER = `${CSP_META}; frame-ancestors 'none'; sandbox allow-scripts allow-same-origin`;
