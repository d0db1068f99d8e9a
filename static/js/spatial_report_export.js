/*
 * A background download's page: asks for its status every two seconds until the file is ready,
 * has failed or has expired, then shows the link or the reason.
 */
(function () {
  var section = document.getElementById("export");
  if (!section) {
    return;
  }
  var progress = document.getElementById("export-progress");
  var statusBox = document.getElementById("export-status");
  var link = document.getElementById("export-link");

  function poll() {
    fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (state) {
        if (state.ready) {
          progress.max = 1;
          progress.value = 1;
          statusBox.textContent = section.dataset.readyText + " " + state.row_count;
          link.hidden = false;
          return;
        }
        if (state.status === "failed" || state.status === "expired") {
          progress.hidden = true;
          statusBox.textContent =
            (state.status === "failed" ? section.dataset.failedText : section.dataset.expiredText) +
            (state.error ? " " + state.error : "");
          return;
        }
        statusBox.textContent = state.status_label;
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  poll();
})();
