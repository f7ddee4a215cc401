// The report download: shows that it is being made (it takes seconds), keeps the button
// from being pressed twice, downloads the PDF when it is ready and says plainly when it
// could not be made. Without the script the form still downloads it.
"use strict";
(function () {
  var form = document.getElementById("report-form");
  if (!form || !window.fetch || !window.URL || !URL.createObjectURL) { return; }
  var button = form.querySelector("button[type=submit]");
  var progress = document.getElementById("report-progress");
  var seconds = progress.querySelector('[data-field="seconds"]');
  var error = document.getElementById("report-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) { return; }
    var url = form.action + "?days=" + encodeURIComponent(form.elements.days.value);
    var started = Date.now();
    var timer = setInterval(function () {
      seconds.textContent = Math.round((Date.now() - started) / 1000) + " s";
    }, 1000);
    button.disabled = true;
    error.hidden = true;
    seconds.textContent = "";
    progress.hidden = false;
    function done() {
      clearInterval(timer);
      button.disabled = false;
      progress.hidden = true;
    }
    fetch(url, {credentials: "same-origin", headers: {"X-Report": "fetch"}})
      .then(function (r) {
        if (!r.ok) {
          return r.text().then(function (text) {
            var plain = (r.headers.get("Content-Type") || "").indexOf("text/plain") === 0;
            throw {shown: plain ? text
              : r.status === 401 ? "The report could not be made: please log in again."
              : "The report could not be made (the page answered " + r.status + ")."};
          });
        }
        var name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
        return r.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = name ? name[1] : "crampcoach-report.pdf";
          link.hidden = true;
          document.body.appendChild(link);
          link.click();
          setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
        });
      })
      .catch(function (e) {
        error.textContent = (e && e.shown) ||
          "The report could not be made: the page cannot be reached.";
        error.hidden = false;
      })
      .then(done);
  });
})();
