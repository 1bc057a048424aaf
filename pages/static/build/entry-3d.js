'use strict';
// The 2-D bundle's trace types, and the 3-D ones of the loss surfaces (scatter3d, surface).
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/contour'),
    require('plotly.js/lib/scatter3d'),
    require('plotly.js/lib/surface'),
]);
module.exports = Plotly;
