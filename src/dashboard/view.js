// Draws a run (the /json/run and /json/workers shapes) into the page: used by the live dashboard,
// which polls, and by the report, which carries its data inline. SVG only, no library.
"use strict";
const FT = (() => {
  const ROUNDS = { outer_rows: "rows across parts", outer_inputs: "inputs at cutoffs", outer_answers: "answers by key range", matrix: "parts" };
  const COLOURS = { outer_rows: "#4c78a8", outer_inputs: "#f58518", outer_answers: "#b279a2", matrix: "#54a24b" };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const mb = (b) => (b / 1048576).toFixed(1) + " MB";
  const sec = (s) => (s == null ? "" : s.toFixed(s < 10 ? 2 : 1) + " s");
  const $ = (id) => document.getElementById(id);
  const set = (id, html) => { const e = $(id); if (e) e.innerHTML = html; };
  const table = (head, rows) =>
    "<table><tr>" + head.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
    rows.map((r) => "<tr>" + r.map((c) => "<td>" + c + "</td>").join("") + "</tr>").join("") + "</table>";
  const bar = (v, max, cls) =>
    '<span class="bar ' + cls + '"><span style="width:' + (max > 0 ? Math.min(100, (100 * v) / max) : 0).toFixed(1) + '%"></span></span>';

  function summary(run, workers) {
    const i = run.info || {};
    const f = run.finished;
    const state = f ? (f.error ? "failed" : "finished") : "running";
    set("state", '<span class="state ' + state + '">' + state + "</span>" +
      (f && f.error ? ' <span class="error">' + esc(f.error) + "</span>" : ""));
    const tot = run.totals || {};
    const rows = [
      ["command", esc((i.command || []).join(" "))],
      ["inputs", esc((i.inputs || []).join(", "))],
      ["parts", i.parts],
      ["workers", i.workers === 0 ? "0 (in process)" : i.workers],
      ["features", i.features],
      ["rows", f ? f.rows : ""],
      ["wall time", sec(run.t)],
      ["part jobs", (tot.jobs_done || 0) + " / " + (tot.jobs || 0) + " done, " + (tot.jobs_running || 0) + " running"],
      ["retries / crashes / failures", (tot.retries || 0) + " / " + (tot.crashes || 0) + " / " + (tot.failures || 0)],
      ["memory now (process tree)", mb(tot.rss_now || 0)],
      ["peak memory (process tree, sampled)", mb(tot.tree_peak_rss || 0)],
    ];
    set("summary", table(["", ""], rows));
  }

  function workerTable(run, w) {
    const list = (w && w.workers) || [];
    const max = Math.max(1, ...list.map((x) => Math.max(x.memory.peak, x.memory.rss)));
    const rows = list.map((x) => [
      x.worker, x.pid, '<span class="state ' + x.state + '">' + x.state + "</span>",
      x.current ? esc(ROUNDS[x.current.round] || x.current.round) + " · part " + x.current.part : "",
      bar(x.memory.rss, max, "rss") + " " + mb(x.memory.rss),
      bar(x.memory.peak, max, "peak") + " " + mb(x.memory.peak),
      mb(x.memory.shards), x.parts, sec(x.busy_seconds),
    ]);
    const c = (w && w.coordinator) || run.coordinator;
    if (c) rows.push(["coordinator", c.pid, "", "", mb(c.rss), mb(c.peak), mb(c.shards), "", ""]);
    set("workers", table(["worker", "pid", "state", "current", "RSS", "peak", "shards mapped", "parts", "busy"], rows)
      .replace("<table>", '<table class="workers" data-workers="' + list.length + '">'));
  }

  function rounds(run) {
    const rows = (run.rounds || []).map((r) => [
      esc(ROUNDS[r.round] || r.round),
      bar(r.done, r.jobs, "round " + r.round) + " " + r.done + " / " + r.jobs,
      sec((r.end == null ? run.t : r.end) - r.start),
    ]);
    set("rounds", table(["round", "progress", "time"], rows));
  }

  function stages(run) {
    const by = new Map();
    for (const s of run.stages || []) {
      const e = by.get(s.stage) || { n: 0, t: 0, open: false };
      e.n += 1;
      e.t += (s.end == null ? run.t : s.end) - s.start;
      e.open = e.open || s.end == null;
      by.set(s.stage, e);
    }
    const rows = [...by].map(([k, e]) => [esc(k.replace(/_/g, " ")) + (e.open ? " (running)" : ""), e.n, sec(e.t)]);
    set("stages", table(["stage", "times", "time"], rows));
  }

  // One lane per worker, one bar per part job attempt; crashed attempts red, failed black.
  function stream(run, tasks) {
    const lanes = Math.max(1, ...tasks.map((t) => t.worker + 1), (run.info && run.info.workers) || 1);
    const W = 1000, lane = 16, top = 4, H = top + lanes * lane + 18;
    const tmax = Math.max(run.t || 0, ...tasks.map((t) => t.end || 0), 0.001);
    const x = (t) => 40 + ((W - 50) * t) / tmax;
    let s = '<svg id="stream-svg" viewBox="0 0 ' + W + " " + H + '" width="100%" data-tasks="' + tasks.length + '">';
    for (let l = 0; l < lanes; l++) {
      s += '<text x="2" y="' + (top + l * lane + 11) + '" class="lane">w' + l + "</text>";
    }
    for (const t of tasks) {
      const end = t.end == null ? run.t : t.end;
      const w = Math.max(0.5, x(end) - x(t.start));
      s += '<rect class="task ' + t.status + '" data-round="' + t.round + '" data-part="' + t.part + '" x="' +
        x(t.start).toFixed(2) + '" y="' + (top + t.worker * lane + 1) + '" width="' + w.toFixed(2) +
        '" height="' + (lane - 3) + '" fill="' + (COLOURS[t.round] || "#999") + '"><title>' +
        esc((ROUNDS[t.round] || t.round) + " · part " + t.part + " · attempt " + t.attempt + " · " + t.status + " · " + sec(end - t.start)) +
        "</title></rect>";
    }
    s += '<text x="40" y="' + (H - 4) + '" class="axis">0 s</text><text x="' + (W - 10) + '" y="' + (H - 4) +
      '" class="axis" text-anchor="end">' + sec(tmax) + "</text></svg>";
    const legend = Object.keys(ROUNDS).map((r) => '<span class="key" style="background:' + COLOURS[r] + '"></span>' + ROUNDS[r]).join(" ") +
      ' <span class="key crashed"></span>crashed <span class="key failed"></span>failed';
    set("stream", s + '<div class="legend">' + legend + "</div>");
  }

  // Memory per worker over time: one line per process.
  function memory(run, w) {
    const series = ((w && w.workers) || []).map((x) => ["w" + x.worker, x.memory.history]);
    const c = (w && w.coordinator) || run.coordinator;
    if (c) series.push(["coordinator", c.history]);
    const W = 1000, H = 220;
    const tmax = Math.max(0.001, ...series.flatMap(([, h]) => h.map((p) => p[0])));
    const vmax = Math.max(1, ...series.flatMap(([, h]) => h.map((p) => p[1])));
    let s = '<svg viewBox="0 0 ' + W + " " + H + '" width="100%">';
    series.forEach(([name, h], i) => {
      const colour = "hsl(" + ((i * 67) % 360) + ",60%,45%)";
      const pts = h.map((p) => (40 + ((W - 140) * p[0]) / tmax).toFixed(1) + "," + (H - 20 - ((H - 30) * p[1]) / vmax).toFixed(1)).join(" ");
      s += '<polyline fill="none" stroke="' + colour + '" stroke-width="1.5" points="' + pts + '"/>';
      s += '<text x="' + (W - 95) + '" y="' + (14 + 12 * i) + '" fill="' + colour + '" class="lane">' + esc(name) + "</text>";
    });
    s += '<text x="2" y="12" class="axis">' + mb(vmax) + '</text><text x="40" y="' + (H - 4) + '" class="axis">0 s</text><text x="' +
      (W - 100) + '" y="' + (H - 4) + '" class="axis" text-anchor="end">' + sec(tmax) + "</text></svg>";
    set("memory", s);
  }

  function incidents(run) {
    const rows = (run.incidents || []).map((i) => [sec(i.t), i.kind, i.round ? esc(ROUNDS[i.round] || i.round) : "",
      i.part == null ? "" : i.part, i.worker == null ? "" : i.worker, esc(i.message)]);
    set("incidents", rows.length ? table(["time", "what", "round", "part", "worker", "message"], rows) : "none");
  }

  function slowest(tasks) {
    const done = tasks.filter((t) => t.end != null).map((t) => [t, t.end - t.start]);
    done.sort((a, b) => b[1] - a[1]);
    const rows = done.slice(0, 10).map(([t, d]) => [t.part, esc(ROUNDS[t.round] || t.round), t.worker, t.attempt, t.status, sec(d), mb(t.peak_rss)]);
    set("slowest", table(["part", "round", "worker", "attempt", "status", "time", "peak memory"], rows));
  }

  return {
    render(run, workers, tasks) {
      summary(run, workers);
      workerTable(run, workers);
      rounds(run);
      stages(run);
      stream(run, tasks);
      memory(run, workers);
      incidents(run);
      slowest(tasks);
    },
  };
})();
