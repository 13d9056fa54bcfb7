// Stand-in for the whatwg-url package in the bundle: Node's own WHATWG URL implementation.
/* global module */
'use strict';
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
