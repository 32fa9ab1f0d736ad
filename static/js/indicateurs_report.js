/* Annual report page: poll the job status every second (as static/js/import.js does for
   imports and extracts), move the progress bar, reload the page once the file is ready. */
(function () {
  "use strict";

  var box = document.querySelector("[data-report-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-report-status-url");
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
        text.textContent = state.label + " : " + state.percent + " %";
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
})();
