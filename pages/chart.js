// The playground's charts: a plotly.js figure drawn with a partial bundle of plotly.js.
//
// Streamlit's own st.plotly_chart loads all of plotly.js (4.7 MB, every trace type, maps
// included) before it draws anything, and evaluating it was most of a view's first draw
// (docs/performance.md). The views draw six trace types: pages/static/plotly-2d.min.js holds
// the 2-D ones (1.3 MB) and plotly-3d.min.js adds scatter3d and surface (1.9 MB); a page loads
// one of them, once, whichever its figures need.
//
// `THEME` (prepended by pages/charts.py from playground/figures/theme.json) is Streamlit's light theme for
// plotly, as its st.plotly_chart resolves it; a figure sent without a template gets it.

const BUNDLES = { "2d": "plotly-2d.min.js", "3d": "plotly-3d.min.js" };

function bundles() {
  // one loader per page, shared by every chart on it
  window.__playgroundPlotly = window.__playgroundPlotly || { wants3d: false, loads: {} };
  return window.__playgroundPlotly;
}

function load(name) {
  const state = bundles();
  if (!state.loads[name]) {
    state.loads[name] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "app/static/" + BUNDLES[name]; // relative: works under a base URL path
      script.onload = () => resolve({ name, Plotly: window.Plotly });
      script.onerror = () => reject(new Error("could not load " + script.src));
      document.head.appendChild(script);
    });
  }
  return state.loads[name];
}

function onItsWay(needs3d) {
  // a build already loaded or on its way that has what a figure needs (the 3-D one has all)
  const { loads } = bundles();
  return loads["3d"] || (!needs3d && loads["2d"]);
}

function plotlyFor(needs3d) {
  // The charts of a view mount together: wait for all of them to say what they need, then
  // load one bundle. A 3-D figure that comes later (a toggle) loads the 3-D bundle then.
  const state = bundles();
  const going = onItsWay(needs3d);
  if (going) return going;
  if (needs3d) state.wants3d = true;
  if (!state.first) {
    // (the 3-D build may have been asked for meanwhile: the preload can mount after a chart)
    state.first = new Promise((ready) => setTimeout(ready, 0)).then(() =>
      load(state.wants3d || state.loads["3d"] ? "3d" : "2d"),
    );
  }
  return state.first.then((loaded) =>
    needs3d && loaded.name !== "3d" ? load("3d") : loaded,
  );
}

function themed(layout) {
  if (!layout.template) layout.template = THEME;
  const title = layout.title;
  if (title && title.text && !title.text.startsWith("<b>")) title.text = "<b>" + title.text + "</b>";
  return layout;
}

// Full screen, as Streamlit's charts had it (a projector): the chart takes the whole screen
// and its height, and gets its own height back on leaving.
const EXPAND = "M0 0h400v100H100v300H0zM600 0h400v400H900V100H600zM0 600h100v300h300v100H0zM900 600h100v400H600V900h300z";

function fullscreenButton(title, P) {
  return {
    name: "fullscreen",
    title,
    icon: { width: 1000, height: 1000, path: EXPAND },
    click: (gd) => {
      if (document.fullscreenElement) return document.exitFullscreen();
      if (!gd.__fullscreen) {
        gd.__fullscreen = true;
        gd.addEventListener("fullscreenchange", () => {
          if (document.fullscreenElement === gd) {
            gd.__height = gd.layout.height;
            gd.style.background = "#FFFFFF";
            P.relayout(gd, { height: window.innerHeight });
          } else {
            gd.style.background = "";
            P.relayout(gd, { height: gd.__height === undefined ? null : gd.__height });
          }
        });
      }
      gd.requestFullscreen().catch(() => {});
    },
  };
}

function message(box, text) {
  box.textContent = text;
  box.style.cssText = "padding:1rem;color:#9c3d00;background:#fff6e6;border-radius:0.5rem";
}

// Charts are drawn one at a time, those on screen first, then the 2-D ones, with the page free
// to paint between them: a view's first screen shows while the charts below it are still to
// come. 3-D scenes are drawn together: without a GPU, every frame painted reads each WebGL
// canvas back (0.5 s for two scenes in a trace of the loss surfaces), so they share one frame.
function enqueue(gd, draw, fail, needs3d) {
  const state = bundles();
  state.queue = state.queue || [];
  state.queue.push({ gd, draw, fail, needs3d });
  if (!state.drawing) {
    state.drawing = true;
    setTimeout(drawNext, 0);
  }
}

function drawNext() {
  const state = bundles();
  if (!state.queue.length) {
    state.drawing = false;
    return;
  }
  const onScreen = ({ gd }) => {
    const box = gd.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  };
  let index = state.queue.findIndex(onScreen);
  if (index < 0) index = Math.max(0, state.queue.findIndex((job) => !job.needs3d));
  const [first] = state.queue.splice(index, 1);
  const batch = [first];
  if (first.needs3d) {
    // 3-D scenes together: in software rendering every frame painted reads their canvases back
    batch.push(...state.queue.filter((job) => job.needs3d));
    state.queue = state.queue.filter((job) => !job.needs3d);
  }
  const done = batch.map((job) => {
    try {
      return Promise.resolve(job.draw()).catch(job.fail);
    } catch (error) {
      return Promise.resolve(job.fail(error));
    }
  });
  Promise.all(done).then(() => setTimeout(drawNext, 0));
}

// A figure that differs from the one on screen only in its traces' x and y, its frames and its
// animation slider (the race after a new learning rate, start or number of steps) is updated in
// place: the moved traces through Plotly.animate without a transition, as the animation's own
// frames are, then the frames and the slider. Plotly.react would replot everything (a changed
// data array makes it recompute every trace, the axes and the slider): 100-130 ms against
// 40-65 ms for the race's map (docs/performance.md). Only axes with fixed ranges qualify (a
// moved trace does not rescale them), and 2-D figures.
function shape(figure) {
  const { sliders, ...layout } = figure.layout || {};
  const data = figure.data || [];
  return {
    layout: JSON.stringify(layout),
    sliders: JSON.stringify(sliders || null),
    // (a trace's meta is for the server's CSV, never drawn: a path's steps, which change with
    // the number of steps, do not stop the race moving in place)
    traces: data.map(({ x, y, meta, ...rest }) =>
      JSON.stringify([x === undefined, y === undefined, rest]),
    ),
    xy: data.map(({ x, y }) => JSON.stringify([x, y])),
  };
}

function fixedAxes(gd) {
  const full = gd._fullLayout;
  const axis = /^[xy]axis\d*$/;
  return Object.keys(full).every((key) => !axis.test(key) || full[key].autorange === false);
}

const DTYPES = {
  f8: Float64Array,
  f4: Float32Array,
  i4: Int32Array,
  u4: Uint32Array,
  i2: Int16Array,
  u2: Uint16Array,
  i1: Int8Array,
  u1: Uint8Array,
};

function encoded(array) {
  // plotly.py sends numeric arrays base64-encoded: {dtype, bdata}
  return array && array.bdata !== undefined && !Array.isArray(array);
}

function decodable(array) {
  return !encoded(array) || (DTYPES[array.dtype] && !array.shape);
}

function values(array) {
  // Plotly.animate merges plain objects key by key: an encoded array becomes the typed array
  // it stands for
  if (!encoded(array)) return array;
  const bytes = Uint8Array.from(atob(array.bdata), (c) => c.charCodeAt(0));
  return new DTYPES[array.dtype](bytes.buffer);
}

function moved(gd, next, figure, data) {
  // the traces whose x or y changed, or null if more than that changed
  const last = gd.__shape;
  if (!last || data.needs3d || !gd._fullLayout) return null;
  if (gd.__fullscreenTitle !== data.fullscreen || last.layout !== next.layout) return null;
  if (last.traces.length !== next.traces.length || !fixedAxes(gd)) return null;
  if (next.traces.some((trace, i) => trace !== last.traces[i])) return null;
  const traces = next.xy.map((xy, i) => (xy === last.xy[i] ? -1 : i)).filter((i) => i >= 0);
  const plain = traces.every((i) => decodable(figure.data[i].x) && decodable(figure.data[i].y));
  return plain ? traces : null;
}

// Plotly.animate at once, without a transition or a redraw (Pause uses the same)
const AT_ONCE = {
  mode: "immediate",
  frame: { duration: 0, redraw: false },
  transition: { duration: 0 },
};

function updateInPlace(gd, P, figure, frames, traces, slidersChanged) {
  const data = traces.map((i) => ({ x: values(figure.data[i].x), y: values(figure.data[i].y) }));
  const animated = traces.length ? P.animate(gd, { data, traces }, AT_ONCE) : Promise.resolve();
  return animated.then(() => {
    // the new frames replace the old ones (as Plotly.react does; deleteFrames mis-sorts indices
    // past 10 in plotly.js 4.1)
    gd._transitionData._frames = [];
    gd._transitionData._frameHash = {};
    return frames ? P.addFrames(gd, frames) : null;
  }).then(() => (slidersChanged ? P.relayout(gd, { sliders: figure.layout.sliders || [] }) : null));
}

// An animation whose axes change as it plays (the descent's loss axis grows with its curve, a
// decade at a time): plotly.js would transition a frame's axis range and, interrupted by the
// next frame, put the old range back, so the curve ran off its chart until the last frame (a
// fresh-eyes teacher). Its frames go to plotly.js without their layout; the layout a frame
// shows (the last one given, at it or before it) is applied by Plotly.relayout as the frame
// is shown (followFrames), when it is not the one on screen.
function axisFrames(frames) {
  if (!frames || !frames.some((frame) => frame.layout)) return { frames, layouts: null };
  const keys = new Set(); // every property any frame sets ("yaxis3.range"), to clear as well
  const flat = frames.map((frame) => {
    if (!frame.layout) return null;
    const out = {};
    for (const [name, value] of Object.entries(frame.layout)) {
      const nested = value && typeof value === "object" && !Array.isArray(value);
      for (const [key, v] of nested ? Object.entries(value) : [["", value]]) {
        const path = key ? `${name}.${key}` : name;
        out[path] = v;
        keys.add(path);
      }
    }
    return out;
  });
  const layouts = new Map();
  let current = null;
  const stripped = frames.map((frame, i) => {
    if (flat[i]) {
      current = {};
      for (const key of keys) current[key] = key in flat[i] ? flat[i][key] : null;
    }
    layouts.set(frame.name, current);
    if (!frame.layout) return frame;
    const { layout, ...rest } = frame; // (layout: applied by showFrameLayout)
    return rest;
  });
  return { frames: stripped, layouts };
}

function showFrameLayout(gd, name) {
  const wanted = gd.__frameLayouts && gd.__frameLayouts.get(name);
  const json = wanted && JSON.stringify(wanted);
  if (!wanted || json === gd.__frameLayoutShown) return;
  gd.__frameLayoutShown = json;
  const at = (path) => path.split(".").reduce((o, key) => (o == null ? undefined : o[key]), gd.layout);
  const same = Object.entries(wanted).every(
    ([path, value]) => JSON.stringify(at(path) ?? null) === JSON.stringify(value),
  );
  if (!same) gd.__plotly.relayout(gd, wanted).catch(() => {});
}

// The room a figure keeps under its plot for its legend is reckoned on the server for the
// narrowest column it may be shown in (figures/legend.py: a margin plotly.js had to grow would
// lay the figure out twice); in a wider one the legend takes fewer rows, and a blank band of up
// to 170 px stayed under it (the lab's fit at 1440 px, a fresh-eyes teacher). Once drawn, the
// figure gives up that band: it is measured, and the figure made as much shorter, its plot
// unchanged. Later figures of the chart with the same height and bottom margin are sent
// shorter at once (the live redraws of a training), with no second layout.
const SPARE_UNDER = 12; // px kept under the lowest thing drawn
const LEAST_TRIM = 24; // px: a smaller band is left alone

function shortened(gd, layout) {
  const trim = gd.__trim;
  const margin = layout.margin || {};
  if (!trim || trim.height !== layout.height || trim.bottom !== margin.b) return layout;
  return { ...layout, height: layout.height - trim.by, margin: { ...margin, b: margin.b - trim.by } };
}

function blankUnder(gd) {
  // px between a legend under the plot, when it is the lowest thing drawn, and the figure's
  // bottom edge (0 if something else is lower: a slider, a colour bar, an axis title)
  const box = gd.getBoundingClientRect();
  const legend = gd.querySelector(".legend");
  if (!legend || !box.height) return 0;
  const others = gd.querySelectorAll(
    ".xtitle, .xtick, .g-xtitle, .annotation, .slider-container, .updatemenu-container, " +
      ".colorbar, .cartesianlayer .subplot .bg, .gl-container",
  );
  const bottom = (element) => element.getBoundingClientRect().bottom - box.top;
  const under = bottom(legend);
  for (const element of others) {
    if (element.getBoundingClientRect().height > 0 && bottom(element) > under + 1) return 0;
  }
  return box.height - under - SPARE_UNDER;
}

function trimBlank(gd, P, sent) {
  // sent: the layout as the server sent it (its height and bottom margin)
  const full = gd._fullLayout;
  const margin = sent.margin || {};
  if (!full || !sent.height || margin.b === undefined || gd.__fullscreen) return null;
  const legend = full.legend;
  if (!full.showlegend || !legend || legend.orientation !== "h" || !(legend.y < 0)) return null;
  const blank = Math.floor(blankUnder(gd));
  if (blank < LEAST_TRIM) return null;
  const by = (gd.__trim && gd.__trim.height === sent.height ? gd.__trim.by : 0) + blank;
  if (margin.b - by < 0) return null;
  gd.__trim = { height: sent.height, bottom: margin.b, by };
  gd.style.minHeight = sent.height - by + "px"; // (the place kept for it: see the default export)
  return P.relayout(gd, { height: sent.height - by, "margin.b": margin.b - by });
}

function draw(gd, Plotly, figure, data, setTriggerValue, setStateValue) {
  if (gd.__spec !== data.spec || !gd.isConnected) return; // replaced or gone meanwhile
  // a chart stays with the plotly.js that drew it first
  const P = gd.__plotly || (gd.__plotly = Plotly);
  const next = shape(figure); // (before the theme is added to its layout)
  const { frames, layouts } = axisFrames(figure.frames);
  const sent = figure.layout || {};
  const layout = shortened(gd, themed(sent));
  let drawn;
  if (gd._transitionData && gd._transitionData._animationRaf) {
    // a new figure while the old one plays: stop it, as Pause does, so the new one starts at 0
    P.animate(gd, [null], AT_ONCE).catch(() => {});
  }
  const traces = moved(gd, next, figure, data);
  if (traces) {
    const slidersChanged = next.sliders !== gd.__shape.sliders;
    drawn = updateInPlace(gd, P, figure, frames, traces, slidersChanged).then(
      () => (gd.__how = "in place"),
      () => {
        // interrupted (a newer figure, Play): draw it whole
        gd.__how = "whole";
        const whole = { data: figure.data, layout, frames, config: gd.__config };
        return P.react(gd, whole);
      },
    );
  } else if (gd._fullLayout && gd.__fullscreenTitle === data.fullscreen) {
    // The same config object as before: Plotly.react redraws what changed. (A changed config
    // makes react start a new plot and drop the figure's animation frames, plotly.js 4.1.)
    drawn = P.react(gd, { data: figure.data, layout, frames, config: gd.__config });
    gd.__how = "whole";
  } else {
    gd.__fullscreenTitle = data.fullscreen;
    gd.__config = {
      displaylogo: false,
      responsive: true,
      // no "Share chart" button: a class's data is never offered to a third-party cloud
      showSendToCloud: false,
      showEditInChartStudio: false,
      modeBarButtonsToRemove: ["sendDataToCloud"],
      modeBarButtonsToAdd: data.fullscreen ? [fullscreenButton(data.fullscreen, P)] : [],
    };
    if (data.locale) {
      // plotly.js's tool bar and notices in the page's language (the catalogues' words)
      gd.__config.locale = data.locale.name;
      gd.__config.locales = { [data.locale.name]: { dictionary: data.locale.dictionary } };
    }
    gd.__clicks = false; // a new plot forgets its event handlers
    gd.__follows = false;
    gd.__labelsEnd = false;
    if (gd._fullLayout) P.purge(gd); // stops an animation that is playing or paused
    drawn = P.newPlot(gd, { data: figure.data, layout, frames, config: gd.__config });
    gd.__how = "whole";
  }
  gd.__shape = next;
  gd.__frameNames = (figure.frames || []).map((frame) => frame.name);
  gd.__frameLayouts = layouts;
  gd.__frameLayoutShown = undefined; // (a figure moved in place keeps a range played before)
  if (gd.__frameNames.length) {
    keyboard();
    Promise.resolve(drawn).then(() => {
      gd.__frame = openingFrame(layout, gd.__frameNames); // (← from the kernels' last went to the first)
      showFrameLayout(gd, gd.__frame); // (its axes, where a frame played before changed them)
      gd.__id = data.id;
      followFrames(gd, setStateValue);
      labelLastStop(gd);
      if (!gd.__labelsEnd) { // (a resize draws the labels again; once per plot: a figure moved
        gd.__labelsEnd = true; // in place keeps its listeners, which piled up a redraw each)
        gd.on("plotly_afterplot", () => labelLastStop(gd));
      }
    });
  }
  if (data.clickable && !gd.__clicks) {
    gd.__clicks = true;
    gd.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      if (point) setTriggerValue("click", { x: point.x, y: point.y });
    });
  }
  if (!gd.__resizes && window.ResizeObserver) {
    // the sidebar opening or closing changes the width, not the window's
    let width = gd.clientWidth;
    gd.__resizes = new ResizeObserver(() => {
      if (!gd.isConnected) return gd.__resizes.disconnect();
      // a hidden chart (a closed tab, a fragment redrawing) has no width to fit
      if (gd.clientWidth && gd.clientWidth !== width && gd._fullLayout) {
        width = gd.clientWidth;
        P.Plots.resize(gd).catch(() => {});
      }
    });
    gd.__resizes.observe(gd);
  }
  return Promise.resolve(drawn)
    .then(() => (gd.__how === "whole" ? trimBlank(gd, P, sent) : null))
    .then(() => {
      gd.__drawn = data.spec; // what is on screen now (the browser tests wait for it)
    });
}

function openingFrame(layout, names) {
  // the frame a new figure opens at: its scrubber's active stop (the ConvNet's kernels open at
  // their last epoch), else its first; as pages/charts.py's opening_frame
  const slider = (layout.sliders || [])[0];
  const steps = (slider && slider.steps) || [];
  if (steps.length) {
    const active = Math.min(Math.max(parseInt(slider.active || 0, 10) || 0, 0), steps.length - 1);
    const args = steps[active].args;
    const name = args && args[0] && String(args[0][0]);
    if (names.includes(name)) return name;
  }
  return names[0];
}

// The keyboard, for a teacher at the projector: Space plays or pauses the animation in view, ←
// and → step it one frame. Not while typing in a field or on a control that uses these keys.
const KEYS = [" ", "ArrowLeft", "ArrowRight"];
const TYPING = "input, textarea, select, button, [role=slider], [role=radio], [role=option], " +
  "[role=combobox], [role=listbox], [contenteditable=true]";
// controls whose keys are always their own: text, numbers, lists, sliders
const TEXT = "input:not([type=checkbox]):not([type=radio]), textarea, select, [role=slider], " +
  "[role=combobox], [role=listbox], [contenteditable=true]";

function animationInView() {
  // the animated chart with the most of its height on screen
  let best = null;
  let shown = 0;
  for (const gd of document.querySelectorAll(".playground-chart")) {
    if (!gd.__frameNames || !gd.__frameNames.length || !gd._fullLayout) continue;
    const box = gd.getBoundingClientRect();
    const visible = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
    if (visible > shown) [best, shown] = [gd, visible];
  }
  return best;
}

function playOptions(gd) {
  // as the figure's own ▶ at its chosen speed (the speed buttons are the second menu)
  const menus = gd.layout.updatemenus || [];
  const speeds = menus[1] && menus[1].buttons;
  const chosen = speeds && speeds[menus[1].active == null ? 0 : menus[1].active];
  const button = chosen || (menus[0] && menus[0].buttons && menus[0].buttons[0]);
  return button ? button.args[1] : { frame: { duration: 80, redraw: false }, fromcurrent: true };
}

let clickedIn = null; // the page element (a widget) last clicked with the mouse

function elementOf(node) {
  return node && node.closest ? node.closest("[data-testid=stElementContainer]") : null;
}

function watchClicks() {
  // (from the first chart on, before any animation: Train is pressed before its figures come)
  if (window.__playgroundClicks) return;
  window.__playgroundClicks = true;
  document.addEventListener("pointerdown", (event) => (clickedIn = elementOf(event.target)), true);
  document.addEventListener("keydown", (event) => event.key === "Tab" && (clickedIn = null), true);
}

function keyboard() {
  if (window.__playgroundKeys) return;
  window.__playgroundKeys = true;
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || !KEYS.includes(event.key)) return;
    const focus = document.activeElement;
    const control = focus && focus.closest ? focus.closest(TYPING) : null;
    // A box one types in keeps its keys, and so does a control reached with the keyboard (Space
    // presses a button); one last clicked with the mouse (Train, a toggle) does not: a teacher
    // who had pressed Train found Space did nothing to the animation until she clicked it.
    if (control && (control.closest(TEXT) || elementOf(control) !== clickedIn)) return;
    const gd = animationInView();
    if (!gd) return;
    if (control) focus.blur();
    event.stopPropagation(); // (the control's own handler would take it after us: a toggle)
    event.preventDefault(); // (Space would scroll the page)
    const P = gd.__plotly;
    const options = playOptions(gd);
    if (event.key === " ") {
      if (gd.__playing) return P.animate(gd, [null], AT_ONCE).catch(() => {});
      return P.animate(gd, null, { ...options, fromcurrent: true }).catch(() => {});
    }
    const names = gd.__frameNames;
    const now = Math.max(0, names.indexOf(gd.__frame));
    const next = Math.min(names.length - 1, Math.max(0, now + (event.key === "ArrowRight" ? 1 : -1)));
    const redraw = Boolean(options.frame && options.frame.redraw);
    P.animate(gd, [names[next]], { mode: "immediate", frame: { duration: 0, redraw }, transition: { duration: 0 } }).catch(() => {});
  }, true); // (capturing: a clicked control handles its keys and stops them there)
}

function labelLastStop(gd) {
  // plotly.js labels every k-th stop of a scrubber (k from its labels' width), so the last one
  // went unlabelled: "0 … 96" under 100 steps, "… 384" under 400 epochs. The last label moves
  // to the last stop (or one more is added there, where there is room). plotly.js's own
  // elements (slider-label-group, slider-tick-rect): tests/e2e/test_picture.py pins them.
  const sliders = (gd.layout && gd.layout.sliders) || [];
  const at = (el) => {
    const m = /translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)/.exec(el.getAttribute("transform") || "");
    return m ? [parseFloat(m[1]), parseFloat(m[2])] : null;
  };
  gd.querySelectorAll(".slider-container").forEach((container, i) => {
    const steps = (sliders[i] && sliders[i].steps) || [];
    const labels = container.querySelectorAll(".slider-label-group");
    const ticks = container.querySelectorAll(".slider-tick-rect");
    if (!steps.length || !labels.length || ticks.length !== steps.length) return;
    const want = String(steps[steps.length - 1].label);
    const last = labels[labels.length - 1];
    const text = last.querySelector("text");
    const [lx, ly] = at(last) || [];
    const [tx] = at(ticks[ticks.length - 1]) || [];
    if (!text || text.textContent === want || lx == null || tx == null) return;
    const end = tx + parseFloat(ticks[ticks.length - 1].getAttribute("width") || 0) / 2;
    const room = end - lx >= 1.2 * text.getBBox().width + 6; // (apart from the last label)
    const target = room ? last.parentNode.appendChild(last.cloneNode(true)) : last;
    target.setAttribute("transform", `translate(${end},${ly})`);
    target.querySelector("text").textContent = want;
  });
}

function followFrames(gd, setStateValue) {
  // which frame is shown and whether it plays (plotly.js's public animation events); where an
  // animation stops (its end, Pause, the slider, a key), the server is told, so that the PNG
  // export is the picture on screen (one rerun a stop, none while it plays)
  if (gd.__follows) return;
  gd.__follows = true;
  const stopped = () => {
    gd.__playing = false;
    const shown = { name: gd.__frame, id: gd.__id };
    if (gd.__told && gd.__told.name === shown.name && gd.__told.id === shown.id) return;
    gd.__told = shown;
    setStateValue("frame", shown);
  };
  gd.on("plotly_animatingframe", (event) => {
    gd.__frame = event.name;
    gd.__playing = true;
    showFrameLayout(gd, event.name);
  });
  gd.on("plotly_animated", stopped);
  gd.on("plotly_animationinterrupted", stopped);
}

function preload(build, idle) {
  // Loading starts with the view, before its figures arrive: the build its first figures need.
  // The home view has no chart: while a student reads it, the 3-D build (which draws the
  // figures of every view) is loaded when the page is idle, so that the first view opened from
  // it draws without waiting for plotly.js.
  const state = bundles();
  const ready = () => onItsWay(build === "3d");
  const run = () => {
    // (when idle: a view opened meanwhile, its preload or its charts, has chosen already)
    if (ready() || (idle && (state.first || Object.keys(state.loads).length))) return;
    load(build).catch(() => delete bundles().loads[build]);
  };
  if (ready()) return;
  if (!idle) return run();
  (window.requestIdleCallback || ((later) => setTimeout(later, 500)))(run, { timeout: 3000 });
}

function quietInterruptions() {
  // plotly.js rejects the promise of an animation that a new figure or Pause interrupts, with
  // no reason; the figure's own ▶ button does not catch it, so the browser's console showed
  // "Uncaught (in promise) undefined" after changing a setting during an animation
  if (window.__playgroundQuiet) return;
  window.__playgroundQuiet = true;
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason === undefined) event.preventDefault();
  });
}

// A view opened by a link in the page (a lesson card low on the home page, the sidebar) could
// keep the scroll of the page before it (when the new view drew before the old one was
// cleared): the lesson opened on its figures, its question off screen. Every view mounts this
// component (its preload in the sidebar, then its charts): for 15 s after the address
// changes (its figures may take that long), each mount puts the view back at its top, until
// the student scrolls.
const NEW_VIEW_MS = 15000;

function topOfANewView() {
  const state = window.__playgroundTop || (window.__playgroundTop = { path: location.pathname });
  if (!state.listening) {
    state.listening = true;
    const scrolled = () => (state.since = 0);
    for (const kind of ["wheel", "touchmove", "keydown", "mousedown"]) {
      window.addEventListener(kind, scrolled, { capture: true, passive: true });
    }
  }
  if (state.path !== location.pathname) {
    state.path = location.pathname;
    state.since = Date.now();
  }
  if (!state.since || Date.now() - state.since > NEW_VIEW_MS) return;
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollTop) main.scrollTop = 0;
}

// A table header in 简体中文 marks where it may wrap with zero-width spaces (pages/widgets.py:
// BREAK_HINT); copied from the page into a spreadsheet, they stayed in its cells ("训练损失").
// Text copied from the page leaves them out (its HTML too, which a spreadsheet reads as cells).
const HINT = /\u200b/g;

function copiesWithoutHints() {
  if (window.__playgroundCopy) return;
  window.__playgroundCopy = true;
  document.addEventListener("copy", (event) => {
    const selection = window.getSelection();
    const text = selection ? selection.toString() : "";
    if (!event.clipboardData || !text.includes("\u200b") || !selection.rangeCount) return;
    const box = document.createElement("div");
    for (let i = 0; i < selection.rangeCount; i++) {
      box.appendChild(selection.getRangeAt(i).cloneContents());
    }
    event.clipboardData.setData("text/plain", text.replace(HINT, ""));
    event.clipboardData.setData("text/html", box.innerHTML.replace(HINT, ""));
    event.preventDefault();
  });
}

export default function (component) {
  quietInterruptions();
  topOfANewView();
  copiesWithoutHints();
  watchClicks();
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  if (data && data.preload) {
    // nothing to show: its slot in the sidebar would add a gap between the elements around it
    const slot = parentElement.closest(".stElementContainer");
    if (slot) slot.style.display = "none";
    return preload(data.preload, data.idle);
  }
  let gd = parentElement.querySelector(".playground-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "playground-chart";
    gd.style.width = "100%";
    parentElement.appendChild(gd);
  }
  if (!data || gd.__spec === data.spec) return; // the same figure: nothing to draw again
  gd.__spec = data.spec;
  const figure = JSON.parse(data.spec);
  // keep the chart's place while it waits to be drawn, so the page does not jump
  gd.style.minHeight = (shortened(gd, figure.layout || {}).height || 450) + "px";
  const fail = (error) => message(gd, (data.failed || "") + " " + String(error));
  plotlyFor(data.needs3d)
    .then(({ Plotly }) => enqueue(gd, () => draw(gd, Plotly, figure, data, setTriggerValue, setStateValue), fail, data.needs3d))
    .catch(fail);
}
