// The stage form on the opportunity page (served from 'self'; CSP allows no inline script):
// "Why was it lost?" is shown only while the chosen stage is Lost. Without JavaScript the
// server shows it for a Lost deal, and asks for it when Lost is submitted without a reason.
(function () {
  "use strict";
  function sync(form) {
    var stage = form.querySelector("select[name=stage]");
    var reason = form.querySelector("[data-lost-reason]");
    if (stage && reason) reason.hidden = stage.value !== "lost";
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-stage-form]");
    if (form && event.target.name === "stage") {
      sync(form);
      if (!form.querySelector("[data-lost-reason]").hidden) {
        var input = form.querySelector("[name=lost_reason]");
        if (input) input.focus();
      }
    }
  });
})();
