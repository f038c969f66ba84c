// Reports page: poll running PDF jobs and offer the file when it is ready (no page reload needed).
(function () {
  const table = document.querySelector("table.jobs[data-poll-url]");
  if (!table) return;
  const base = table.dataset.pollUrl.replace(/\/0$/, "/");
  function poll() {
    const pending = table.querySelectorAll("tr[data-status='queued'], tr[data-status='running']");
    if (!pending.length) return;
    pending.forEach(function (row) {
      fetch(base + row.dataset.job, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) return;
          row.dataset.status = job.status;
          const cell = row.querySelector(".job-state");
          if (job.ready) {
            cell.textContent = "";
            const a = document.createElement("a");
            a.className = "button"; a.href = job.download_url; a.textContent = table.dataset.downloadLabel || "⬇";
            cell.appendChild(a);
          } else if (job.status === "failed") {
            cell.textContent = job.error;
          } else {
            const bar = cell.querySelector("progress");
            if (bar) bar.value = job.progress;
          }
        });
    });
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 1500);
})();
