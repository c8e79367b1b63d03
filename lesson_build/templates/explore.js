// The explorable half of the lesson page (inlined into index.html): the playground, the
// (α, β) map, "Try it" in the chapter list, the transcript and the quiz. Plain ES2017, no
// dependencies. The data (#explore-data) is written by lesson_build.explore at build time.
(function () {
  "use strict";
  var dataEl = document.getElementById("explore-data");
  var DATA = dataEl ? JSON.parse(dataEl.textContent) : null;
  var video = document.getElementById("lesson-video");
  var COLORS = DATA ? DATA.colors : {};

  // ---- the maths: momentum_math.simulation's kernel, operation for operation --------------

  function evaluator(surface) {
    if (surface.kind === "quadratic") {
      var h = surface.hessian, hxx = h[0], hxy = h[1], hyx = h[2], hyy = h[3];
      var diagonal = hxy === 0 && hyx === 0;
      return function (x, y, out) {
        var gx = x * hxx, gy = y * hyy;
        if (!diagonal) { gx = gx + y * hyx; gy = x * hxy + gy; }
        out[0] = (gx * x + gy * y) * 0.5; out[1] = gx; out[2] = gy;
      };
    }
    if (surface.kind === "qfsp") {
      return function (x, y, out) {
        var sx = Math.sin(x), cx = Math.cos(x), sy = Math.sin(y), cy = Math.cos(y);
        out[0] = x * x + y * y + 10 * sx * sy;
        out[1] = 2 * x + 10 * cx * sy;
        out[2] = 2 * y + 10 * sx * cy;
      };
    }
    return null;
  }

  // One run, as momentum_math.simulate computes it (pytorch recurrence, the convention's α
  // and velocity scale). Arrays end at the last good step; divergedStep is the step that
  // failed (-1: none); stepsTo the first step with loss < threshold (-1: none).
  function simulate(surface, start, lr, beta, steps, convention, nesterov, threshold) {
    var evaluate = evaluator(surface);
    if (!evaluate) { throw new Error("this surface cannot be computed in the page"); }
    var bound = DATA ? DATA.bound : 1e10;
    var step = convention === "ema" ? lr * (1 - beta) : lr;
    var scale = convention === "lesson" ? lr : convention === "classical" ? -lr :
      convention === "ema" ? 1 - beta : 1;
    var positions = new Float64Array(2 * (steps + 1));
    var velocities = new Float64Array(2 * (steps + 1));
    var gradients = new Float64Array(2 * (steps + 1));
    var losses = new Float64Array(steps + 1);
    var x = start[0], y = start[1], vx = 0, vy = 0, out = [0, 0, 0];
    evaluate(x, y, out);
    var loss = out[0], gx = out[1], gy = out[2];
    positions[0] = x; positions[1] = y; gradients[0] = gx; gradients[1] = gy; losses[0] = loss;
    var stored = 0, diverged = -1, stepsTo = loss < threshold ? 0 : -1;
    for (var k = 1; k <= steps; k++) {
      vx = vx * beta; vx = vx + gx; vy = vy * beta; vy = vy + gy;
      var sx, sy;
      if (nesterov) { sx = (vx * beta + gx) * step; sy = (vy * beta + gy) * step; }
      else { sx = vx * step; sy = vy * step; }
      var nx = x - sx, ny = y - sy;
      if (!(Math.abs(nx) <= bound && Math.abs(ny) <= bound)) { diverged = k; break; }
      evaluate(nx, ny, out);
      if (!(isFinite(out[0]) && isFinite(out[1]) && isFinite(out[2]))) { diverged = k; break; }
      x = nx; y = ny; loss = out[0]; gx = out[1]; gy = out[2];
      stored = k;
      positions[2 * k] = x; positions[2 * k + 1] = y;
      velocities[2 * k] = vx * scale; velocities[2 * k + 1] = vy * scale;
      gradients[2 * k] = gx; gradients[2 * k + 1] = gy;
      losses[k] = loss;
      if (stepsTo < 0 && loss < threshold) { stepsTo = k; }
    }
    return {
      positions: positions.subarray(0, 2 * (stored + 1)),
      velocities: velocities.subarray(0, 2 * (stored + 1)),
      gradients: gradients.subarray(0, 2 * (stored + 1)),
      losses: losses.subarray(0, stored + 1),
      count: stored, divergedStep: diverged, stepsTo: stepsTo,
      step: step, lr: lr, beta: beta, convention: convention, nesterov: !!nesterov
    };
  }

  // For the tests and the benchmark: the same kernel on plain arrays.
  function simulatePlain(surface, start, lr, beta, steps, convention, nesterov, threshold) {
    var run = simulate(surface, start, lr, beta, steps, convention, nesterov, threshold);
    return {
      positions: Array.prototype.slice.call(run.positions),
      velocities: Array.prototype.slice.call(run.velocities),
      losses: Array.prototype.slice.call(run.losses),
      gradients: Array.prototype.slice.call(run.gradients),
      divergedStep: run.divergedStep, stepsTo: run.stepsTo
    };
  }

  window.lessonExplore = { simulate: simulatePlain, data: DATA };
  if (!DATA) { return; }

  // ---- helpers ---------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }
  function fmt(v, digits) {
    if (!isFinite(v)) { return String(v); }
    if (v === 0) { return "0"; }
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) { return v.toExponential((digits || 4) - 1).replace("e", "×10^"); }
    return String(Number(v.toPrecision(digits || 4)));
  }
  function hex(c) { return [1, 3, 5].map(function (i) { return parseInt(c.substr(i, 2), 16); }); }
  function mix(a, b, t) {
    var p = hex(a), q = hex(b);
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(p[i] + (q[i] - p[i]) * t); })
      .join(",") + ")";
  }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  // ---- state -----------------------------------------------------------------------------

  var surfaces = DATA.surfaces, tries = DATA.tries;
  var tryOrder = Object.keys(tries);
  var state = {
    surface: null, start: [0, 0], steps: 100, threshold: 1e-3, current: 0, preset: null,
    runs: [
      { lr: 0.1, beta: 0.9, convention: "pytorch", nesterov: false, on: true },
      { lr: 0.1, beta: 0, convention: "pytorch", nesterov: false, on: true }
    ],
    results: [null, null], playing: false, betaSlot: 1
  };
  var els = {};
  var resume = null;

  // A run's colour and name by its β, the videos' bands (lessonkit.palette.RUN_BANDS).
  function role(run) {
    if (run.beta === 0) { return "gd"; }
    var bands = DATA.run_bands;
    for (var k = 0; k < bands.length; k++) { if (run.beta < bands[k].below) { return bands[k].key; } }
    return bands[bands.length - 1].key;
  }
  var ROLE_NAMES = { gd: "plain descent" };
  (DATA ? DATA.run_bands : []).forEach(function (band) { ROLE_NAMES[band.key] = band.name; });

  function compute() {
    var s = surfaces[state.surface];
    for (var i = 0; i < 2; i++) {
      var r = state.runs[i];
      state.results[i] = r.on ? simulate(s, state.start, r.lr, r.beta, state.steps, r.convention,
        r.nesterov, state.threshold) : null;
    }
  }

  // ---- the map ---------------------------------------------------------------------------

  function mapGeometry(canvas, s) {
    var w = canvas.width, h = canvas.height, pad = 8 * (window.devicePixelRatio || 1);
    var x0 = s.x_range[0], x1 = s.x_range[1], y0 = s.y_range[0], y1 = s.y_range[1];
    return {
      toX: function (x) { return pad + (x - x0) / (x1 - x0) * (w - 2 * pad); },
      toY: function (y) { return h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad); },
      fromX: function (px) { return x0 + (px - pad) / (w - 2 * pad) * (x1 - x0); },
      fromY: function (py) { return y0 + (h - pad - py) / (h - 2 * pad) * (y1 - y0); },
      pad: pad
    };
  }

  function sizeCanvas(canvas, aspect) {
    var ratio = window.devicePixelRatio || 1;
    var width = Math.max(200, canvas.clientWidth || canvas.parentNode.clientWidth || 600);
    var w = Math.round(width * ratio), h = Math.round(width / aspect * ratio);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    canvas.style.height = (h / ratio) + "px";
  }

  function mapAspect(s) {
    var a = (s.x_range[1] - s.x_range[0]) / (s.y_range[1] - s.y_range[0]);
    var narrow = (els.map.parentNode.clientWidth || 600) < 520;  // a phone: taller maps
    return clamp(a, 1.2, narrow ? 2 : 3.6);
  }

  var contourCache = {};
  function contourPaths(key, s, g) {
    var id = key + ":" + els.map.width + "x" + els.map.height;
    if (contourCache[id]) { return contourCache[id]; }
    var paths = [];
    var n = s.levels.length;
    if (s.ellipses) {
      var e = s.eigen, c = s.minima[0];
      s.levels.forEach(function (level, i) {
        var r0 = Math.sqrt(2 * (level - e.min_value) / e.values[0]);
        var r1 = Math.sqrt(2 * (level - e.min_value) / e.values[1]);
        var p = new Path2D();
        for (var k = 0; k <= 96; k++) {
          var t = 2 * Math.PI * k / 96, a = r0 * Math.cos(t), b = r1 * Math.sin(t);
          var x = c[0] + a * e.vectors[0][0] + b * e.vectors[1][0];
          var y = c[1] + a * e.vectors[0][1] + b * e.vectors[1][1];
          if (k) { p.lineTo(g.toX(x), g.toY(y)); } else { p.moveTo(g.toX(x), g.toY(y)); }
        }
        paths.push({ path: p, color: mix(COLORS.contour_low, COLORS.contour_high, i / Math.max(n - 1, 1)) });
      });
    } else {
      s.lines.forEach(function (line) {
        var pts = line[1], p = new Path2D();
        for (var k = 0; k < pts.length; k += 2) {
          if (k) { p.lineTo(g.toX(pts[k]), g.toY(pts[k + 1])); }
          else { p.moveTo(g.toX(pts[k]), g.toY(pts[k + 1])); }
        }
        paths.push({ path: p, color: mix(COLORS.contour_low, COLORS.contour_high, line[0] / Math.max(n - 1, 1)) });
      });
    }
    contourCache = {}; contourCache[id] = paths;
    return paths;
  }

  function arrow(ctx, x0, y0, x1, y1, color, width) {
    var dx = x1 - x0, dy = y1 - y0, len = Math.sqrt(dx * dx + dy * dy);
    if (!(len > 1)) { return; }
    var head = Math.min(10 * (window.devicePixelRatio || 1), len * 0.5), ux = dx / len, uy = dy / len;
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = width;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1 - ux * head * 0.8, y1 - uy * head * 0.8); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - ux * head - uy * head * 0.5, y1 - uy * head + ux * head * 0.5);
    ctx.lineTo(x1 - ux * head + uy * head * 0.5, y1 - uy * head - ux * head * 0.5);
    ctx.closePath(); ctx.fill();
  }

  function arrowScale(s) {
    // The arrows are drawn longer than the step (×scale) when the step would be a dot.
    var r = state.results[0] || state.results[1];
    if (!r || r.count < 1) { return 1; }
    var g = mapGeometry(els.map, s);
    var dx = g.toX(r.positions[2]) - g.toX(r.positions[0]);
    var dy = g.toY(r.positions[3]) - g.toY(r.positions[1]);
    var first = Math.sqrt(dx * dx + dy * dy), want = els.map.width * 0.06;
    if (!(first > 0) || first >= want) { return 1; }
    var scale = want / first, nice = [1, 2, 3, 5, 10, 20, 30, 50, 100];
    for (var i = 0; i < nice.length; i++) { if (nice[i] >= scale) { return nice[i]; } }
    return 100;
  }

  function drawMap() {
    var canvas = els.map, ctx = canvas.getContext("2d"), s = surfaces[state.surface];
    var g = mapGeometry(canvas, s), ratio = window.devicePixelRatio || 1;
    ctx.fillStyle = COLORS.background; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.lineWidth = 1.2 * ratio;
    contourPaths(state.surface, s, g).forEach(function (c) {
      ctx.strokeStyle = c.color; ctx.stroke(c.path);
    });
    ctx.strokeStyle = COLORS.border; ctx.lineWidth = ratio;
    ctx.strokeRect(g.pad, g.pad, canvas.width - 2 * g.pad, canvas.height - 2 * g.pad);
    ctx.strokeStyle = COLORS.minimum; ctx.lineWidth = 2 * ratio;
    s.minima.forEach(function (m) {
      var px = g.toX(m[0]), py = g.toY(m[1]), d = 5 * ratio;
      ctx.beginPath(); ctx.moveTo(px - d, py - d); ctx.lineTo(px + d, py + d);
      ctx.moveTo(px - d, py + d); ctx.lineTo(px + d, py - d); ctx.stroke();
    });
    var scale = arrowScale(s);
    for (var i = 1; i >= 0; i--) {
      var r = state.results[i];
      if (!r) { continue; }
      var color = COLORS[role(state.runs[i])], upto = Math.min(state.current, r.count);
      ctx.strokeStyle = color; ctx.lineWidth = (i ? 2 : 2.6) * ratio;
      ctx.beginPath();
      for (var k = 0; k <= upto; k++) {
        var px = g.toX(r.positions[2 * k]), py = g.toY(r.positions[2 * k + 1]);
        if (k) { ctx.lineTo(px, py); } else { ctx.moveTo(px, py); }
      }
      ctx.stroke();
      var cx = g.toX(r.positions[2 * upto]), cy = g.toY(r.positions[2 * upto + 1]);
      if (upto < r.count || r.divergedStep < 0) {
        // velocity (the step it makes, −α_pt·v) and the downhill step −α∇L, at the current step
        var gxk = r.gradients[2 * upto], gyk = r.gradients[2 * upto + 1];
        var pv = r.convention === "lesson" ? 1 / r.lr : r.convention === "classical" ? -1 / r.lr :
          r.convention === "ema" ? 1 / (1 - r.beta) : 1;
        var vx = r.velocities[2 * upto] * pv * r.step, vy = r.velocities[2 * upto + 1] * pv * r.step;
        var ax = r.positions[2 * upto], ay = r.positions[2 * upto + 1];
        arrow(ctx, cx, cy, g.toX(ax - scale * vx), g.toY(ay - scale * vy), COLORS.velocity, 2.4 * ratio);
        arrow(ctx, cx, cy, g.toX(ax - scale * r.step * gxk), g.toY(ay - scale * r.step * gyk),
          COLORS.gradient, 2 * ratio);
      }
      ctx.fillStyle = color; ctx.beginPath(); ctx.arc(cx, cy, 5 * ratio, 0, 2 * Math.PI); ctx.fill();
      if (r.divergedStep >= 0 && upto === r.count && state.current >= r.divergedStep) {
        ctx.strokeStyle = color; ctx.lineWidth = 3 * ratio; var d = 8 * ratio;
        ctx.beginPath(); ctx.moveTo(cx - d, cy - d); ctx.lineTo(cx + d, cy + d);
        ctx.moveTo(cx - d, cy + d); ctx.lineTo(cx + d, cy - d); ctx.stroke();
      }
    }
    var sx = g.toX(state.start[0]), sy = g.toY(state.start[1]);
    ctx.strokeStyle = COLORS.text; ctx.lineWidth = 2 * ratio;
    ctx.beginPath(); ctx.arc(sx, sy, 7 * ratio, 0, 2 * Math.PI); ctx.stroke();
    var a = state.runs[0];
    els.gradientKey.textContent = a.convention === "ema" ? "−α(1−β)∇L (run A's gradient step)" : "−α∇L";
    els.arrowNote.textContent = scale > 1 ? "Arrows drawn ×" + scale + " their length." : "Arrows at their true length.";
  }

  // ---- the loss plot (log axis) -------------------------------------------------------------

  function drawPlot() {
    var canvas = els.plot, ctx = canvas.getContext("2d"), s = surfaces[state.surface];
    var ratio = window.devicePixelRatio || 1, w = canvas.width, h = canvas.height;
    var left = 48 * ratio, right = 10 * ratio, top = 10 * ratio, bottom = 24 * ratio;
    var floor = Math.min(0, s.eigen ? s.eigen.min_value : minimumLoss(s));
    var lo = Infinity, hi = -Infinity;
    function gap(v) { return v - floor; }
    state.results.forEach(function (r) {
      if (!r) { return; }
      for (var k = 0; k <= r.count; k++) {
        var v = gap(r.losses[k]);
        if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
    });
    var t = gap(state.threshold);
    if (t > 0) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
    if (!isFinite(lo)) { lo = 1e-6; hi = 1; }
    var l0 = Math.floor(Math.log10(lo)), l1 = Math.ceil(Math.log10(hi));
    if (l1 <= l0) { l1 = l0 + 1; }
    var n = state.steps;
    function X(k) { return left + k / Math.max(n, 1) * (w - left - right); }
    function Y(v) { return top + (l1 - Math.log10(v)) / (l1 - l0) * (h - top - bottom); }
    ctx.fillStyle = COLORS.background; ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = COLORS.axis; ctx.lineWidth = ratio; ctx.fillStyle = COLORS.muted;
    ctx.font = (12 * ratio) + "px system-ui, sans-serif"; ctx.textAlign = "right";
    var every = Math.max(1, Math.ceil((l1 - l0) / 6));
    for (var e = l0; e <= l1; e += every) {
      var y = Y(Math.pow(10, e));
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - right, y); ctx.stroke();
      ctx.fillText("1e" + e, left - 4 * ratio, y + 4 * ratio);
    }
    ctx.textAlign = "center";
    [0, 0.5, 1].forEach(function (f) {
      ctx.fillText(String(Math.round(f * n)), X(f * n), h - 6 * ratio);
    });
    if (t > 0) {
      ctx.strokeStyle = COLORS.highlight; ctx.setLineDash([6 * ratio, 4 * ratio]);
      ctx.beginPath(); ctx.moveTo(left, Y(t)); ctx.lineTo(w - right, Y(t)); ctx.stroke();
      ctx.setLineDash([]);
    }
    for (var i = 1; i >= 0; i--) {
      var r = state.results[i];
      if (!r) { continue; }
      ctx.strokeStyle = COLORS[role(state.runs[i])]; ctx.lineWidth = 2 * ratio; ctx.beginPath();
      var moved = false;
      for (var k = 0; k <= r.count; k++) {
        var v = gap(r.losses[k]);
        if (!(v > 0)) { moved = false; continue; }
        var px = X(k), py = Math.min(Y(v), h - bottom);
        if (moved) { ctx.lineTo(px, py); } else { ctx.moveTo(px, py); moved = true; }
      }
      ctx.stroke();
    }
    ctx.strokeStyle = COLORS.text; ctx.lineWidth = ratio;
    ctx.beginPath(); ctx.moveTo(X(state.current), top); ctx.lineTo(X(state.current), h - bottom); ctx.stroke();
    els.plotAxis.textContent = floor < 0 ? "loss above the lowest minimum, L − L*, L* = " + fmt(floor) : "loss L";
  }

  function minimumLoss(s) {
    var lowest = 0, out = [0, 0, 0], ev = evaluator(s);
    if (!ev) { return 0; }
    s.minima.forEach(function (m) { ev(m[0], m[1], out); lowest = Math.min(lowest, out[0]); });
    return lowest;
  }

  // ---- the figures --------------------------------------------------------------------------

  function outcome(r) {
    if (r.divergedStep >= 0 && (r.stepsTo < 0 || r.stepsTo >= r.divergedStep)) {
      return "diverges at step " + r.divergedStep;
    }
    if (r.stepsTo >= 0) { return r.stepsTo + (r.stepsTo === 1 ? " step" : " steps"); }
    return "not within " + state.steps + " steps";
  }

  function writeFigures() {
    var rows = [];
    for (var i = 0; i < 2; i++) {
      var r = state.results[i], run = state.runs[i], cells = els.figureRows[i];
      cells.row.hidden = !r;
      if (!r) { continue; }
      var k = Math.min(state.current, r.count);
      cells.name.textContent = (i ? "B" : "A") + ": " + ROLE_NAMES[role(run)];
      cells.name.style.borderColor = COLORS[role(run)];
      cells.rule.textContent = run.convention + (run.nesterov ? " + Nesterov" : "") + ", α = " +
        fmt(run.lr) + ", β = " + fmt(run.beta);
      cells.step.textContent = String(k);
      cells.loss.textContent = fmt(r.losses[k], 5);
      cells.position.textContent = "(" + fmt(r.positions[2 * k], 5) + ", " + fmt(r.positions[2 * k + 1], 5) + ")";
      cells.velocity.textContent = "(" + fmt(r.velocities[2 * k], 4) + ", " + fmt(r.velocities[2 * k + 1], 4) + ")";
      cells.finish.textContent = outcome(r);
      rows.push((i ? "B" : "A") + " " + ROLE_NAMES[role(run)] + ": " + outcome(r));
    }
    els.stepOut.textContent = "step " + state.current + " of " + state.steps;
    els.stepRange.max = String(state.steps);
    els.stepRange.value = String(state.current);
    var s = surfaces[state.surface];
    els.map.setAttribute("aria-label", "Map of the " + s.title + " with the runs' paths from (" +
      fmt(state.start[0]) + ", " + fmt(state.start[1]) + "). " + rows.join("; ") + ".");
    // a live region: spoken once a run stands still, not at every frame of Play
    if (!state.playing) { els.summary.textContent = rows.join(" · "); }
  }

  function redraw() {
    drawMap(); drawPlot(); writeFigures(); drawHeatmapMarks();
  }

  function update() { compute(); redraw(); writeTomlNote(); }

  // ---- controls --------------------------------------------------------------------------

  function lrBounds() {
    var s = surfaces[state.surface], top = 1;
    if (s.eigen) { top = Math.max.apply(null, s.eigen.values); }
    else if (s.kind === "qfsp") { top = 12; }
    var cap = 2 / top;
    return [cap / 300, cap * 30];
  }
  function lrToSlider(lr) {
    var b = lrBounds();
    return String(Math.round(clamp(Math.log(lr / b[0]) / Math.log(b[1] / b[0]), 0, 1) * 1000));
  }
  function sliderToLr(v) {
    var b = lrBounds(), lr = b[0] * Math.pow(b[1] / b[0], Number(v) / 1000);
    return Number(lr.toPrecision(3));
  }

  function syncControls() {
    els.surface.value = state.surface;
    els.startX.value = String(state.start[0]); els.startY.value = String(state.start[1]);
    els.steps.value = String(state.steps); els.threshold.value = String(state.threshold);
    state.runs.forEach(function (run, i) {
      var c = els.runs[i];
      c.lrNum.value = String(run.lr); c.lrRange.value = lrToSlider(run.lr);
      c.betaNum.value = String(run.beta); c.betaRange.value = String(Math.round(run.beta * 1000));
      c.convention.value = run.convention; c.nesterov.checked = run.nesterov;
      if (c.on) { c.on.checked = run.on; }
      c.box.style.borderColor = COLORS[role(run)];
    });
    els.formula.textContent = formulaText(surfaces[state.surface]);
  }

  function formulaText(s) {
    return s.title + ": " + s.latex.replace(/\\frac\{([^}]*)\}\{([^}]*)\}/g, "($1)/($2)")
      .replace(/\\tfrac\{1\}\{2\}/g, "½").replace(/\\left|\\right/g, "").replace(/\\,/g, " ")
      .replace(/\\sin/g, "sin").replace(/\\cos/g, "cos").replace(/\\theta/g, "θ")
      .replace(/\\top/g, "ᵀ").replace(/\^2/g, "²").replace(/[{}]/g, "");
  }

  function numberFrom(input, low, high, name) {
    var v = Number(input.value);
    var ok = input.value.trim() !== "" && isFinite(v) && v >= low && v <= high;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    els.error.textContent = ok ? "" : name + " must be a number from " + low + " to " + high +
      ", got " + JSON.stringify(input.value) + ".";
    return ok ? v : null;
  }

  function bind() {
    els.surface.addEventListener("change", function () {
      var s = surfaces[els.surface.value];
      state.surface = els.surface.value; state.preset = null; state.betaSlot = 1;
      state.start = [Number((s.x_range[0] * 0.8).toPrecision(3)), Number((s.y_range[1] * 0.5).toPrecision(3))];
      state.current = state.steps; clearErrors(); syncControls(); layout(); update();
    });
    [["startX", 0], ["startY", 1]].forEach(function (pair) {
      els[pair[0]].addEventListener("input", function () {
        var v = numberFrom(els[pair[0]], -1e6, 1e6, pair[1] ? "start y" : "start x");
        if (v === null) { return; }
        state.start[pair[1]] = v; update();
      });
    });
    els.steps.addEventListener("input", function () {
      var v = numberFrom(els.steps, 1, 5000, "steps");
      if (v !== null && v !== Math.floor(v)) {
        els.steps.setAttribute("aria-invalid", "true");
        els.error.textContent = "steps must be a whole number from 1 to 5000, got " +
          JSON.stringify(els.steps.value) + ".";
        return;
      }
      if (v === null) { return; }
      state.steps = v; state.current = v; update();
    });
    els.threshold.addEventListener("input", function () {
      var v = numberFrom(els.threshold, 1e-12, 1e12, "threshold");
      if (v === null) { return; }
      state.threshold = v; update();
    });
    [0, 1].forEach(function (i) {
      // state.runs[i] is replaced when a chapter loads: always read it afresh
      var c = els.runs[i];
      function run() { return state.runs[i]; }
      c.lrRange.addEventListener("input", function () {
        run().lr = sliderToLr(c.lrRange.value); c.lrNum.value = String(run().lr); update();
      });
      c.lrNum.addEventListener("input", function () {
        var v = numberFrom(c.lrNum, 1e-9, 1e6, "α");
        if (v === null || !(v > 0)) { return; }
        run().lr = v; c.lrRange.value = lrToSlider(v); update();
      });
      c.betaRange.addEventListener("input", function () {
        run().beta = Number(c.betaRange.value) / 1000; c.betaNum.value = String(run().beta);
        c.box.style.borderColor = COLORS[role(run())]; update();
      });
      c.betaNum.addEventListener("input", function () {
        var v = numberFrom(c.betaNum, 0, 0.999999, "β");
        if (v === null) { return; }
        run().beta = v; c.betaRange.value = String(Math.round(v * 1000));
        c.box.style.borderColor = COLORS[role(run())]; update();
      });
      c.convention.addEventListener("change", function () { run().convention = c.convention.value; update(); });
      c.nesterov.addEventListener("change", function () { run().nesterov = c.nesterov.checked; update(); });
      if (c.on) { c.on.addEventListener("change", function () { run().on = c.on.checked; update(); }); }
    });
    els.play.addEventListener("click", function () { state.playing ? pause() : play(); });
    els.stepOnce.addEventListener("click", function () {
      pause(); state.current = Math.min(state.steps, state.current + 1); redraw();
    });
    els.reset.addEventListener("click", function () { pause(); state.current = 0; redraw(); });
    els.stepRange.addEventListener("input", function () {
      pause(); state.current = Number(els.stepRange.value); redraw();
    });
    // drag the start point on the map (or click anywhere on it)
    var dragging = false;
    function pointerStart(event) {
      var rect = els.map.getBoundingClientRect(), s = surfaces[state.surface];
      var g = mapGeometry(els.map, s), ratio = els.map.width / rect.width;
      var x = g.fromX((event.clientX - rect.left) * ratio), y = g.fromY((event.clientY - rect.top) * ratio);
      x = clamp(x, s.x_range[0], s.x_range[1]); y = clamp(y, s.y_range[0], s.y_range[1]);
      state.start = [Number(x.toPrecision(4)), Number(y.toPrecision(4))];
      els.startX.value = String(state.start[0]); els.startY.value = String(state.start[1]);
      update();
    }
    els.map.addEventListener("pointerdown", function (event) {
      dragging = true; els.map.setPointerCapture(event.pointerId); pointerStart(event);
    });
    els.map.addEventListener("pointermove", function (event) { if (dragging) { pointerStart(event); } });
    els.map.addEventListener("pointerup", function () { dragging = false; });
    els.map.addEventListener("pointercancel", function () { dragging = false; });
    els.map.addEventListener("keydown", function (event) {
      var s = surfaces[state.surface], dx = (s.x_range[1] - s.x_range[0]) / 50;
      var dy = (s.y_range[1] - s.y_range[0]) / 50, moves = {
        ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
      var m = moves[event.key];
      if (!m) { return; }
      event.preventDefault();
      state.start = [Number((state.start[0] + m[0]).toPrecision(4)), Number((state.start[1] + m[1]).toPrecision(4))];
      els.startX.value = String(state.start[0]); els.startY.value = String(state.start[1]);
      update();
    });
    els.tomlButton.addEventListener("click", downloadToml);
    els.back.addEventListener("click", backToVideo);
    window.addEventListener("resize", function () { layout(); redraw(); });
  }

  var timer = null;
  function play() {
    if (state.current >= state.steps) { state.current = 0; }
    state.playing = true; els.play.textContent = "Pause"; els.play.setAttribute("aria-pressed", "true");
    var perFrame = Math.max(1, Math.round(state.steps / 240)), last = 0;
    function tick(time) {
      if (!state.playing) { return; }
      if (time - last > 30) {
        last = time; state.current = Math.min(state.steps, state.current + perFrame); redraw();
      }
      if (state.current >= state.steps) { pause(); return; }
      timer = requestAnimationFrame(tick);
    }
    timer = requestAnimationFrame(tick);
  }
  function pause() {
    var was = state.playing;
    state.playing = false; if (timer) { cancelAnimationFrame(timer); timer = null; }
    els.play.textContent = "Play"; els.play.setAttribute("aria-pressed", "false");
    if (was) { writeFigures(); }
  }

  // ---- chapters: Try it, and back ---------------------------------------------------------

  function clearErrors() {
    Array.prototype.forEach.call(els.section.querySelectorAll("[aria-invalid]"), function (input) {
      input.setAttribute("aria-invalid", "false");
    });
    els.error.textContent = "";
  }

  function loadable(spec) {
    return !!(spec && surfaces[spec.surface] && evaluator(surfaces[spec.surface]) && spec.runs.length);
  }

  function load(spec) {
    if (!loadable(spec)) { throw new Error("not an experiment the playground can run: " + JSON.stringify(spec)); }
    pause(); clearErrors();
    state.surface = spec.surface; state.start = spec.start.slice(); state.steps = spec.steps;
    state.threshold = spec.threshold; state.preset = spec.preset || null;
    var presetBetas = state.preset && DATA.presets[state.preset] ? DATA.presets[state.preset].values.betas : [];
    state.betaSlot = Math.max(1, presetBetas.indexOf(spec.runs[0].beta));
    for (var i = 0; i < 2; i++) {
      var r = spec.runs[i];
      if (r) {
        state.runs[i] = { lr: r.lr, beta: r.beta, convention: r.convention, nesterov: !!r.nesterov, on: true };
      } else {
        state.runs[i] = { lr: spec.runs[0].lr, beta: 0, convention: spec.runs[0].convention, nesterov: false, on: false };
      }
    }
    state.current = state.steps;
    syncControls(); layout(); update();
    els.source.textContent = spec.chapter ? "Loaded from the chapter “" + spec.title + "”" +
      (spec.note ? " (" + spec.note + ")." : ".") : (spec.label || "");
    els.back.hidden = !resume;
  }

  function tryChapter(name) {
    // a second "Try it" while the video waits keeps the place it left
    if (video && (!resume || !video.paused)) {
      resume = { time: video.currentTime, playing: !video.paused };
    }
    if (video) { video.pause(); }
    load(tries[name]);
    els.section.scrollIntoView({ block: "start" });
    els.heading.focus({ preventScroll: true });
  }

  function backToVideo() {
    if (!video) { return; }
    var at = resume || { time: video.currentTime, playing: false };
    els.back.hidden = true;
    video.scrollIntoView({ block: "center" });
    if (Math.abs(video.currentTime - at.time) > 0.01) { video.currentTime = at.time; }
    video.focus({ preventScroll: true });
    if (at.playing) {
      var p = video.play();
      if (p && p.catch) { p.catch(function () {}); }
    }
    resume = null;
  }

  function decorateChapterList() {
    var list = document.getElementById("chapter-list");
    if (!list) { return; }
    // the list is the manifest's or, once it loads, the chapters track's: match by start time
    var items = list.querySelectorAll("li"), chapters = DATA.chapters || [];
    for (var i = 0; i < items.length; i++) {
      var button = items[i].querySelector("button.chapter");
      var at = button ? parseFloat(button.getAttribute("data-start")) : NaN, name = null;
      chapters.forEach(function (c) { if (Math.abs(c.start - at) < 0.01) { name = c.name; } });
      if (!name || !tries[name] || items[i].querySelector("button.try")) { continue; }
      var b = document.createElement("button");
      b.type = "button"; b.className = "try"; b.setAttribute("data-try", name);
      b.textContent = "Try it";
      b.setAttribute("aria-label", "Try it: " + tries[name].title);
      items[i].classList.add("has-try");
      items[i].appendChild(b);
    }
  }

  // ---- lesson.toml -------------------------------------------------------------------------

  function tomlPreset() {
    var s = surfaces[state.surface];
    if (state.preset && DATA.presets[state.preset]) { return state.preset; }
    if (s.name === "stretched_bowl") { return "stretched_bowl_race"; }
    if (s.name === "ravine") { return "ravine_zigzag"; }
    if (s.name === "qfsp") { return "qfsp_escape"; }
    return null;
  }

  function tomlValue(v) {
    if (typeof v === "string") { return JSON.stringify(v); }
    if (typeof v === "number") {
      var text = String(v);
      return /[.eE]/.test(text) ? text : text + ".0";
    }
    if (Array.isArray(v)) { return "[" + v.map(tomlValue).join(", ") + "]"; }
    var parts = [];
    Object.keys(v).forEach(function (k) { parts.push(k + " = " + tomlValue(v[k])); });
    return "{ " + parts.join(", ") + " }";
  }

  function significant(v, digits) { return Number(Number(v).toPrecision(digits)); }
  function sameValue(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // What "Download lesson.toml" writes: { preset, lines, notes } or { problem }. It writes the
  // playground's surface, start, run A's α and β (the βs of plain descent and of too much
  // momentum stay the preset's), and steps, rule and threshold where they differ from the
  // preset's; α and β with the 2 significant digits the chapters say them with, the
  // threshold with 1. The build checks the rest (what each chapter can show) before it renders.
  function tomlPlan() {
    var name = tomlPreset();
    if (!name) {
      return { problem: "This surface is not one a lesson.toml can set: the lesson's " +
        "chapters draw the ravine, the stretched bowl and the bumpy bowl." };
    }
    var preset = DATA.presets[name], base = preset.values, a = state.runs[0], b = state.runs[1];
    var notes = [];
    if (a.nesterov) {
      return { problem: "A lesson.toml cannot ask for Nesterov's look-ahead: the chapters " +
        "run heavy-ball momentum. Untick it on run A to write one." };
    }
    if (b.on && (b.lr !== a.lr || b.convention !== a.convention)) {
      notes.push("run B's α and rule are not written: the chapters run every β at run A's");
    }
    var lr = significant(a.lr, 2);
    if (lr !== a.lr) { notes.push("α " + a.lr + " is written as " + lr + " (2 significant digits)"); }
    var values = { surface: surfaces[state.surface].config, start: state.start.slice(), lr: lr,
      steps: state.steps, convention: a.convention };
    var keys = ["surface", "start", "lr"];
    if (preset.keys.indexOf("betas") >= 0) {
      var beta = significant(a.beta, 2), betas = base.betas.slice();
      var slot = state.betaSlot > 0 && state.betaSlot < betas.length ? state.betaSlot : 1;
      var replaced = betas[slot];
      betas[slot] = beta;
      var rising = betas[0] === 0 && betas.every(function (v, k) { return !k || betas[k - 1] < v; });
      if (!rising) {
        return { problem: "Run A's β (" + beta + ") takes the place of the lesson's β = " + replaced +
          ", and the chapters need their βs to rise from 0 (plain descent): [" +
          betas.join(", ") + "] does not. Choose a β between " + (slot ? betas[slot - 1] : 0) +
          " and " + (slot + 1 < betas.length ? betas[slot + 1] : 1) + "." };
      }
      if (slot !== 1) { notes.push("run A's β takes the place of the lesson's β = " + replaced); }
      if (beta !== a.beta) { notes.push("β " + a.beta + " is written as " + beta + " (2 significant digits)"); }
      values.betas = betas; keys.push("betas");
    } else if (a.beta !== base.betas[base.betas.length - 1]) {
      notes.push("the βs stay the chapter's own (" + base.betas.slice(1).join(" and ") + ")");
    }
    if (preset.keys.indexOf("threshold") >= 0) {
      values.threshold = significant(state.threshold, 1);
      if (values.threshold !== state.threshold) {
        notes.push("the threshold " + state.threshold + " is written as " + values.threshold);
      }
      if (!sameValue(values.threshold, base.threshold)) { keys.push("threshold"); }
    }
    var off = offTheMap(values, values.betas || base.betas, preset.keys.indexOf("threshold") >= 0 ?
      values.threshold : state.threshold);
    if (off) { return { problem: off }; }
    if (values.steps !== base.steps) { keys.push("steps"); }
    if (values.convention !== base.convention) { keys.push("convention"); }
    var lines = ["# Written by the lesson page's playground: render the lesson with it by",
      "#   momentum-lesson build --config lesson.toml", "", "[presets." + name + "]"];
    preset.keys.forEach(function (key) {
      if (keys.indexOf(key) < 0) { return; }
      lines.push(key + " = " + (key === "steps" ? String(values.steps) : tomlValue(values[key])));
    });
    return { preset: name, lines: lines, notes: notes };
  }

  // The chapters draw each of the file's βs at its α on their maps: a run that diverges or
  // leaves the surface's window is one they refuse (the build names any other need).
  function offTheMap(values, betas, threshold) {
    var s = surfaces[state.surface], found = null;
    betas.forEach(function (beta) {
      if (found) { return; }
      var r = simulate(s, values.start, values.lr, beta, values.steps, values.convention, false, threshold);
      var inside = r.divergedStep < 0;
      for (var k = 0; inside && k <= r.count; k++) {
        var x = r.positions[2 * k], y = r.positions[2 * k + 1];
        inside = x >= s.x_range[0] && x <= s.x_range[1] && y >= s.y_range[0] && y <= s.y_range[1];
      }
      if (!inside) {
        found = "With α = " + values.lr + " (" + values.convention + "), the run with β = " + beta +
          (r.divergedStep >= 0 ? " diverges at step " + r.divergedStep : " leaves the map") +
          ": the chapters draw every β of the lesson at run A's α, so they would refuse this file.";
      }
    });
    return found;
  }

  function tomlText() {
    var plan = tomlPlan();
    return plan.problem ? null : plan.lines.join("\n") + "\n";
  }

  function writeTomlNote() {
    var plan = tomlPlan();
    els.tomlButton.disabled = !!plan.problem;
    if (plan.problem) {
      els.tomlButton.setAttribute("aria-describedby", "pg-toml-note");
      els.tomlNote.textContent = plan.problem;
      return;
    }
    els.tomlNote.textContent = "Renders the lesson's " + plan.preset + " chapters with this " +
      "surface, start and run A's α and β" + (plan.notes.length ? "; " + plan.notes.join("; ") : "") +
      ". The build checks what each chapter can show before it renders.";
  }

  function downloadToml() {
    var text = tomlText();
    if (!text) { return; }
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/toml" }));
    link.download = "lesson.toml";
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  // ---- the (α, β) map ------------------------------------------------------------------------

  var heat = DATA.heatmap, selected = null;
  function heatGeometry() {
    var c = els.heat, ratio = window.devicePixelRatio || 1;
    var left = 52 * ratio, bottom = 34 * ratio, top = 8 * ratio, right = 8 * ratio;
    var nx = heat.lrs.length, ny = heat.betas.length;
    var cw = (c.width - left - right) / nx, ch = (c.height - top - bottom) / ny;
    return { left: left, top: top, bottom: bottom, cw: cw, ch: ch, nx: nx, ny: ny, ratio: ratio,
      col: function (lr) {
        var l0 = Math.log(heat.lrs[0]), l1 = Math.log(heat.lrs[nx - 1]);
        return left + ((Math.log(lr) - l0) / (l1 - l0) * (nx - 1) + 0.5) * cw;
      },
      row: function (beta) {
        var b0 = heat.betas[0], b1 = heat.betas[ny - 1];
        return top + ((b1 - beta) / (b1 - b0) * (ny - 1) + 0.5) * ch;
      } };
  }
  var heatImage = null;
  function drawHeatmap() {
    var c = els.heat, ctx = c.getContext("2d"), g = heatGeometry();
    ctx.fillStyle = COLORS.background; ctx.fillRect(0, 0, c.width, c.height);
    var most = 1;
    heat.steps_to.forEach(function (row) { row.forEach(function (v) { most = Math.max(most, v); }); });
    for (var i = 0; i < g.nx; i++) {
      for (var j = 0; j < g.ny; j++) {
        var steps = heat.steps_to[i][j], div = heat.diverged[i][j];
        var x = g.left + i * g.cw, y = g.top + (g.ny - 1 - j) * g.ch;
        if (div >= 0 && steps < 0) {
          ctx.fillStyle = COLORS.panel; ctx.fillRect(x, y, g.cw + 0.5, g.ch + 0.5);
          ctx.strokeStyle = COLORS.axis; ctx.lineWidth = g.ratio;
          ctx.beginPath(); ctx.moveTo(x, y + g.ch); ctx.lineTo(x + g.cw, y); ctx.stroke();
        } else if (steps < 0) {
          ctx.fillStyle = COLORS.panel; ctx.fillRect(x, y, g.cw + 0.5, g.ch + 0.5);
        } else {
          var f = Math.log(1 + steps) / Math.log(1 + most);
          ctx.fillStyle = mix(COLORS.momentum, COLORS.contour_low, f);
          ctx.fillRect(x, y, g.cw + 0.5, g.ch + 0.5);
        }
      }
    }
    ctx.fillStyle = COLORS.muted; ctx.font = (12 * g.ratio) + "px system-ui, sans-serif";
    ctx.textAlign = "center";
    [0, Math.floor((g.nx - 1) / 2), g.nx - 1].forEach(function (i) {
      ctx.fillText(fmt(heat.lrs[i], 2), g.left + (i + 0.5) * g.cw, c.height - g.bottom + 14 * g.ratio);
    });
    ctx.fillText("α (" + heat.convention + " rule), log scale", c.width / 2, c.height - 4 * g.ratio);
    ctx.textAlign = "right";
    [0, Math.floor((g.ny - 1) / 2), g.ny - 1].forEach(function (j) {
      ctx.fillText("β " + heat.betas[j], g.left - 4 * g.ratio, g.row(heat.betas[j]) + 4 * g.ratio);
    });
    heatImage = ctx.getImageData(0, 0, c.width, c.height);
    drawHeatmapMarks();
  }
  function mark(ctx, x, y, color, label, filled, g) {
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2 * g.ratio;
    ctx.beginPath(); ctx.arc(x, y, 6 * g.ratio, 0, 2 * Math.PI);
    if (filled) { ctx.fill(); } else { ctx.stroke(); }
    ctx.font = "bold " + (12 * g.ratio) + "px system-ui, sans-serif"; ctx.textAlign = "left";
    ctx.fillStyle = COLORS.text; ctx.fillText(label, x + 9 * g.ratio, y + 4 * g.ratio);
  }
  function drawHeatmapMarks() {
    if (!heatImage) { return; }
    var c = els.heat, ctx = c.getContext("2d"), g = heatGeometry();
    ctx.putImageData(heatImage, 0, 0);
    if (heat.optimum) { mark(ctx, g.col(heat.optimum.lr), g.row(heat.optimum.beta), COLORS.minimum, "α*, β*", true, g); }
    mark(ctx, g.col(heat.race.lr), g.row(heat.race.beta), COLORS.text, "race", false, g);
    var a = state.runs[0];
    if (heatHolds(a)) {
      mark(ctx, g.col(a.lr), g.row(a.beta), COLORS[role(a)], "A", true, g);
    }
    if (selected) {
      ctx.strokeStyle = COLORS.text; ctx.lineWidth = 2 * g.ratio;
      ctx.strokeRect(g.left + selected[0] * g.cw, g.top + (g.ny - 1 - selected[1]) * g.ch, g.cw, g.ch);
    }
  }
  // run A is a cell of the map only on its surface, start, steps, threshold and rule, in its α range
  function heatHolds(a) {
    var n = heat.lrs.length;
    return !!surfaces[state.surface] && state.surface === heatSurface() && a.convention === heat.convention &&
      !a.nesterov && sameValue(state.start, heat.start) && state.steps === heat.steps &&
      state.threshold === heat.threshold && a.lr >= heat.lrs[0] && a.lr <= heat.lrs[n - 1] &&
      a.beta >= heat.betas[0] && a.beta <= heat.betas[heat.betas.length - 1];
  }
  function heatSurface() { return tries.race ? tries.race.surface : state.surface; }
  function cellText(i, j) {
    var steps = heat.steps_to[i][j], div = heat.diverged[i][j];
    var what = steps >= 0 ? steps + " steps to " + heat.threshold :
      div >= 0 ? "diverges at step " + div : "not below " + heat.threshold + " within " + heat.steps + " steps";
    return "α = " + heat.lrs[i] + ", β = " + heat.betas[j] + ": " + what;
  }
  function select(i, j) {
    selected = [clamp(i, 0, heat.lrs.length - 1), clamp(j, 0, heat.betas.length - 1)];
    els.heatOut.textContent = cellText(selected[0], selected[1]);
    drawHeatmapMarks();
  }
  function loadCell(i, j) {
    var lr = heat.lrs[i], beta = heat.betas[j];
    load({ surface: heatSurface(), start: heat.start, steps: heat.steps, threshold: heat.threshold,
      preset: "stretched_bowl_race",
      runs: [{ lr: lr, beta: beta, convention: heat.convention }, { lr: lr, beta: 0, convention: heat.convention }],
      label: "Loaded from the (α, β) map: " + cellText(i, j) + "." });
  }
  function cellAt(event) {
    var rect = els.heat.getBoundingClientRect(), ratio = els.heat.width / rect.width, g = heatGeometry();
    var i = Math.floor(((event.clientX - rect.left) * ratio - g.left) / g.cw);
    var j = g.ny - 1 - Math.floor(((event.clientY - rect.top) * ratio - g.top) / g.ch);
    return i >= 0 && i < g.nx && j >= 0 && j < g.ny ? [i, j] : null;
  }
  function bindHeatmap() {
    els.heat.addEventListener("mousemove", function (event) { var c = cellAt(event); if (c) { select(c[0], c[1]); } });
    els.heat.addEventListener("click", function (event) { var c = cellAt(event); if (c) { select(c[0], c[1]); loadCell(c[0], c[1]); } });
    els.heat.addEventListener("keydown", function (event) {
      var s = selected || [0, 0], moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      if (moves[event.key]) { event.preventDefault(); select(s[0] + moves[event.key][0], s[1] + moves[event.key][1]); }
      else if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(s[0], s[1]); loadCell(selected[0], selected[1]); }
    });
    els.heat.addEventListener("focus", function () { if (!selected) { select(0, 0); } });
  }

  // ---- transcript ----------------------------------------------------------------------------

  function bindTranscript() {
    var lines = Array.prototype.slice.call(document.querySelectorAll("#transcript .cue"));
    if (!lines.length || !video) { return; }
    var starts = lines.map(function (b) { return parseFloat(b.getAttribute("data-at")); });
    var current = -1, box = $("transcript-lines");
    function follow() {
      var t = video.currentTime, lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) { var mid = (lo + hi) >> 1; if (starts[mid] <= t + 0.01) { found = mid; lo = mid + 1; } else { hi = mid - 1; } }
      // in a pause between lines the line just spoken stays lit
      if (found === current) { return; }
      if (current >= 0) { lines[current].classList.remove("current"); lines[current].removeAttribute("aria-current"); }
      current = found;
      if (current >= 0) {
        var el = lines[current];
        el.classList.add("current"); el.setAttribute("aria-current", "true");
        if (box && box.scrollHeight > box.clientHeight) {
          var top = el.offsetTop - box.offsetTop;
          if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - el.offsetHeight) {
            box.scrollTop = Math.max(0, top - box.clientHeight / 3);
          }
        }
      }
    }
    video.addEventListener("timeupdate", follow);
    video.addEventListener("seeked", follow);
    box.addEventListener("click", function (event) {
      var b = event.target.closest ? event.target.closest("button.cue") : null;
      if (!b) { return; }
      video.currentTime = parseFloat(b.getAttribute("data-at")) + 0.001;
      follow();
    });
    follow();
  }

  // ---- quiz ---------------------------------------------------------------------------------

  function bindQuiz() {
    var questions = Array.prototype.slice.call(document.querySelectorAll("#quiz .question"));
    if (!questions.length) { return; }
    var at = 0;
    function show(i) {
      at = i;
      questions.forEach(function (q, k) { q.hidden = k !== i; });
      $("quiz-progress").textContent = (i + 1) + " / " + questions.length;
    }
    questions.forEach(function (q, i) {
      var check = q.querySelector(".check"), next = q.querySelector(".next"), feedback = q.querySelector(".feedback");
      check.addEventListener("click", function () {
        var chosen = q.querySelector("input:checked");
        if (!chosen) { feedback.textContent = "Choose an answer first."; feedback.className = "feedback"; return; }
        var right = chosen.value === q.getAttribute("data-answer");
        feedback.className = "feedback " + (right ? "right" : "wrong");
        feedback.textContent = (right ? "Right. " : "Not quite. ") + q.getAttribute("data-explanation");
        q.setAttribute("data-answered", right ? "right" : "wrong");
        if (next) { next.hidden = false; }
      });
      if (next) { next.addEventListener("click", function () { show(i + 1); questions[i + 1].querySelector("legend").focus(); }); }
    });
    show(0);
  }

  // ---- start ---------------------------------------------------------------------------------

  function layout() {
    sizeCanvas(els.map, mapAspect(surfaces[state.surface]));
    var narrow = (els.plot.parentNode.clientWidth || 600) < 520;
    sizeCanvas(els.plot, narrow ? 2 : 3.2);
    sizeCanvas(els.heat, narrow ? 1.1 : 1.6);
    contourCache = {};
    drawHeatmap();
  }

  function init() {
    els.section = $("explore"); els.heading = $("explore-heading");
    if (!els.section) { return; }
    ["map", "plot", "heat", "surface", "formula", "error", "summary", "source", "back",
      "play", "reset", "arrowNote", "gradientKey", "plotAxis", "heatOut", "tomlButton", "tomlNote",
      "stepRange", "stepOut", "startX", "startY", "steps", "threshold"].forEach(function (k) {
      els[k] = $("pg-" + k.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }));
    });
    els.stepOnce = $("pg-step-once");
    els.runs = [0, 1].map(function (i) {
      var p = "pg-run" + i + "-";
      return { box: $(p + "box"), lrRange: $(p + "lr-range"), lrNum: $(p + "lr"), betaRange: $(p + "beta-range"),
        betaNum: $(p + "beta"), convention: $(p + "convention"), nesterov: $(p + "nesterov"), on: $(p + "on") };
    });
    els.figureRows = [0, 1].map(function (i) {
      var p = "pg-fig" + i + "-";
      return { row: $(p + "row"), name: $(p + "name"), rule: $(p + "rule"), step: $(p + "step"), loss: $(p + "loss"),
        position: $(p + "position"), velocity: $(p + "velocity"), finish: $(p + "finish") };
    });
    var first = tries.race ? "race" : tryOrder[0];
    state.surface = tries[first].surface;
    bind(); bindHeatmap();
    layout();
    load(tries[first]);
    els.back.hidden = true;
    document.addEventListener("click", function (event) {
      var b = event.target.closest ? event.target.closest("button[data-try]") : null;
      if (b) { tryChapter(b.getAttribute("data-try")); }
    });
    decorateChapterList();
    var list = document.getElementById("chapter-list");
    if (list && window.MutationObserver) { new MutationObserver(decorateChapterList).observe(list, { childList: true }); }
    window.lessonExplore.state = state;
    window.lessonExplore.load = function (name) { load(tries[name]); };
    window.lessonExplore.toml = tomlText;
    window.lessonExplore.redraw = function () { compute(); redraw(); };
  }

  init();
  bindTranscript();
  bindQuiz();
})();
