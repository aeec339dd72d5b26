/* Campus Twin playback: every frame is drawn here, in the browser, from the payload shipped
   once into the pb-data store (no server round trip per frame). */
window.dash_clientside = window.dash_clientside || {};
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function stamp(data, i) {
    var d = new Date(Date.parse(data.t0 + "Z") + Math.round(i * data.step_s * 1000));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) +
      (data.step_s % 60 ? ":" + pad(d.getUTCSeconds()) : "");
  }
  function axisTime(data, i) {
    var d = new Date(Date.parse(data.t0 + "Z") + Math.round(i * data.step_s * 1000));
    return d.toISOString().slice(0, 19).replace("T", " ");
  }
  function clampIndex(value, data) {
    var i = Math.round(Number(value) || 0);
    return Math.max(0, Math.min(data.n - 1, i));
  }
  // smallest link drawn [MW] (figures.SANKEY_EPS_MW): keeps zero-flow nodes in their fixed place
  var EPS = 1e-4;
  function num(v) { return (v === null || v === undefined || !isFinite(v)) ? EPS : Math.max(v, EPS); }

  window.dash_clientside.campusTwin = {
    togglePlay: function (n_clicks, disabled) {
      var playing = !!disabled;  // it was stopped: start
      window.__ctPlay = null;    // the next tick starts a fresh wall-clock base
      return [!playing, playing ? "❚❚ Pause" : "▶ Play"];
    },
    speed: function (stepsPerS) {
      return Math.max(100, Math.round(1000 / (Number(stepsPerS) || 1)));
    },
    // the step shown follows the wall clock (base step + elapsed s x steps/s), so "10 steps/s"
    // advances ten steps a second however late the interval ticks or the frames draw
    tick: function (n, value, stepsPerS, interval, data) {
      var nu = window.dash_clientside.no_update;
      if (!data) { return nu; }
      var sp = Number(stepsPerS) || 1, now = performance.now(), cur = clampIndex(value, data);
      var p = window.__ctPlay;
      if (!p || p.speed !== sp || p.last !== cur || now - p.tLast > 2000) {
        // (re)start: as if the base step was shown one interval ago
        p = window.__ctPlay = {t0: now - (Number(interval) || 100), i0: cur, speed: sp, last: cur, tLast: now};
      }
      var i = p.i0 + Math.floor((now - p.t0) * sp / 1000);
      p.tLast = now;
      if (i >= data.n) { window.__ctPlay = {t0: now, i0: 0, speed: sp, last: 0, tLast: now}; return 0; }
      if (i === p.last) { return nu; }
      p.last = i;
      return i;
    },
    // zoom / pan of the series: playback jumps to the start of the window shown
    follow: function (rel, data) {
      var nu = window.dash_clientside.no_update;
      if (!rel || !data) { return nu; }
      var x0 = rel["xaxis.range[0]"] || (rel["xaxis.range"] && rel["xaxis.range"][0]);
      if (!x0) { return nu; }
      var ms = Date.parse(String(x0).replace(" ", "T") + (String(x0).length <= 10 ? "T00:00:00Z" : "Z"));
      if (isNaN(ms)) { return nu; }
      return clampIndex((ms - Date.parse(data.t0 + "Z")) / (data.step_s * 1000), data);
    },
    // a click on a heat-map cell (day, hour) moves the playback there
    heatClick: function (click, data) {
      var nu = window.dash_clientside.no_update;
      if (!click || !click.points || !click.points.length || !data) { return nu; }
      var p = click.points[0];
      var ms = Date.parse(String(p.x).slice(0, 10) + "T00:00:00Z") + Number(p.y) * 3600000;
      return clampIndex((ms - Date.parse(data.t0 + "Z")) / (data.step_s * 1000), data);
    },
    frame: function (value, data, sankey, gauges) {
      var nu = window.dash_clientside.no_update;
      if (!data) { return [nu, nu, nu, nu]; }
      var i = clampIndex(value, data);
      var label = stamp(data, i);
      var sk = data.sankey, s = data.series;
      var vals = sk.keys.map(function (k) { return num(s[k][i]); });
      var tr = Object.assign({}, sankey.data[0]);
      tr.link = Object.assign({}, tr.link, {value: vals});
      var layout = Object.assign({}, sankey.layout, {
        title: Object.assign({}, sankey.layout.title, {text: "Power flows at " + label})});
      var newSankey = {data: [tr], layout: layout};
      var gdata = gauges.data.map(function (t, k) {
        var v = s[data.gauges[k].key][i];
        return Object.assign({}, t, {value: (v === null ? NaN : v)});
      });
      var newGauges = {data: gdata, layout: gauges.layout};
      // the cursor on the time series: move the one shape, leave the (large) traces alone
      // (after this frame's Sankey and gauges are drawn, and only the latest position)
      var x = axisTime(data, i);
      window.__ctCursor = x;
      window.requestAnimationFrame(function () {
        var gd = document.querySelector("#pb-series .js-plotly-plot");
        if (window.__ctCursor !== x || !gd || !window.Plotly || !gd._fullLayout) { return; }
        window.Plotly.relayout(gd, {"shapes[0].x0": x, "shapes[0].x1": x});
      });
      window.__ctFrame = {i: i, t: performance.now()};
      // run and time in the address bar, so the view can be shared (the latest step, 250 ms after it)
      clearTimeout(window.__ctUrlTimer);
      window.__ctUrlTimer = setTimeout(function () {
        window.history.replaceState(null, "", "/playback?run=" + encodeURIComponent(data.run_id) + "&t=" + i);
      }, 250);
      return [label, "step " + (i + 1) + " / " + data.n, newSankey, newGauges];
    }
  };
})();
