// Builds ../plotly-2d.min.js and ../plotly-3d.min.js with plotly.js's own esbuild settings
// (its esbuild-config.js), from entry-2d.js and entry-3d.js. Run: npm ci && node build.js
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const { version } = require('plotly.js/package.json');

const banner = `/**
* plotly.js v${version}, partial bundle: the trace types of entry-NAME.js
* Copyright 2012-2026, Plotly, Inc. All rights reserved. Licensed under the MIT license.
* Built by pages/static/build/build.js; see pages/static/README.md.
*/`;

for (const name of ['2d', '3d']) {
    esbuild
        .build({
            entryPoints: [`./entry-${name}.js`],
            outfile: `../plotly-${name}.min.js`,
            format: 'iife',
            globalName: 'Plotly',
            bundle: true,
            minify: true,
            legalComments: 'none',
            banner: { js: banner.replace('NAME', name) },
            plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
            alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
            define: { global: 'window', 'define.amd': 'false' },
            target: 'es2016',
            logLevel: 'info',
        })
        .catch(() => process.exit(1));
}
