/* The portal's only script (Content-Security-Policy: script-src 'self'; no inline script or handlers).
   data-once: a submit button that disables itself when its form is sent (no double submission).
   data-print: prints the page.  data-back: goes back one page. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var buttons = event.target.querySelectorAll("button[data-once]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print],[data-back]") : null;
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.hasAttribute("data-print")) {
      window.print();
    } else {
      window.history.back();
    }
  });
})();
