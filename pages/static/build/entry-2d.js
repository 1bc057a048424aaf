'use strict';
// plotly.js with only the 2-D trace types the playground draws (scatter is in the core).
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/heatmap'), require('plotly.js/lib/contour')]);
module.exports = Plotly;
