/* Import batch and extract pages: poll the job status every second, move the progress bar, reload the
   page with its report once the batch is finished (the undo form's confirmation is in app.js). */
(function () {
  "use strict";

  var box = document.querySelector("[data-status-url]");
  if (box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[role=status]");
    var failures = 0;

    var describe = function (state) {
      var verb = box.getAttribute("data-verb") || "lue(s)";
      var line = state.label + " : " + state.processed_rows + " ligne(s) " + verb;
      if (state.total_rows) line += " sur environ " + state.total_rows;
      return line + ".";
    };

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
          text.textContent = describe(state);
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
  }

})();
