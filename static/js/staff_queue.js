/*
 * The unit's queue: "select all" for the bulk acknowledgement, and how many are selected.
 * The page works without it: each checkbox posts on its own.
 */
(function () {
  "use strict";

  var form = document.getElementById("queue-form");
  var selectAll = document.getElementById("select-all");
  var counter = document.getElementById("selection-count");
  if (!form || !selectAll) {
    return;
  }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="codes"]'));
  if (!boxes.length) {
    selectAll.disabled = true;
  }

  function refresh() {
    var checked = boxes.filter(function (box) {
      return box.checked;
    }).length;
    selectAll.checked = boxes.length > 0 && checked === boxes.length;
    selectAll.indeterminate = checked > 0 && checked < boxes.length;
    counter.textContent = checked ? form.dataset.selectionText.replace("{count}", checked) : "";
  }

  selectAll.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = selectAll.checked;
    });
    refresh();
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", refresh);
  });
  refresh();
})();
