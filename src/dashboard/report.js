// The report: the whole run is inline below as JSON; nothing is fetched.
"use strict";
(() => {
  const d = JSON.parse(document.getElementById("ftpart-data").textContent);
  FT.render(d.run, d.workers, d.run.tasks);
})();
