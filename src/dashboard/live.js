// The live dashboard: polls the coordinator every 500 ms and keeps the part jobs it was sent
// (the server sends only the jobs that changed since the last poll).
"use strict";
(() => {
  const tasks = new Map();
  let seq = 0;
  async function poll() {
    try {
      let run;
      do {
        run = await (await fetch("/json/run?since=" + seq)).json();
        for (const t of run.tasks) tasks.set(t.id, t);
        seq = run.seq;
      } while (run.more);
      const workers = await (await fetch("/json/workers?history=120")).json();
      FT.render(run, workers, [...tasks.values()]);
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
      if (run.finished) return;
    } catch (e) {
      const s = document.getElementById("state");
      if (s) s.textContent = "(no answer from the run: " + e + ")";
    }
    setTimeout(poll, 500);
  }
  poll();
})();
