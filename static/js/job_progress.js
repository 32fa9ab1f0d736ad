/* Every background job's page (imports, extracts, SINP exports, annual reports): poll the
   job's status every second, move the progress bar, say the step in the live region, and
   reload the page with its result once the job is finished. The block and the JSON come
   from templates/core/job_progress.html and cpie_naturaliste/core/jobs/status.py. */
(function () {
  "use strict";

  var follow = function (box) {
    var url = box.getAttribute("data-job-status-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[role=status]");
    var failures = 0;

    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (state) {
          failures = 0;
          bar.value = state.percent;
          bar.textContent = state.percent + " %";
          text.textContent = state.text;
          // The page's state badge follows the job ("En attente" → "En cours"…).
          Array.prototype.forEach.call(document.querySelectorAll("[data-job-state]"), function (badge) {
            badge.textContent = state.status_label;
            badge.className = "status status--" + state.status;
          });
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          failures += 1;
          text.textContent = "Connexion perdue, nouvel essai…";
          window.setTimeout(poll, Math.min(1000 * failures, 10000));
        });
    };
    window.setTimeout(poll, 1000);
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-job-status-url]"), follow);
})();
