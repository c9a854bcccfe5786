/* A background export's progress page (casework.exportjobs): polls the job's status.json every two seconds and
   shows the progress, then the download link or the error. No inline script (CSP). */
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var delay = 2000;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }

  function show(s) {
    box.setAttribute("data-state", s.state);
    text("export-state", s.state_label);
    text("export-done", String(s.rows_done));
    text("export-total", s.rows_total === null ? "—" : String(s.rows_total));
    text("export-percent", s.percent + "%");
    var bar = document.getElementById("export-progress");
    if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
    var err = document.getElementById("export-error");
    if (err) { err.textContent = s.error || ""; err.hidden = !s.error; }
    var link = document.getElementById("export-link");
    var a = document.getElementById("export-download");
    if (link && a && s.download_url) { a.href = s.download_url; link.hidden = false; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        show(s);
        if (!s.finished) { window.setTimeout(poll, delay); }
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); window.setTimeout(poll, delay); });
  }

  var state = box.getAttribute("data-state");
  if (state === "queued" || state === "running") { window.setTimeout(poll, 500); }
})();
