// After bad input the page the form was on is shown again (casework.middleware.replay_form_page): put every
// typed value back into its field, each field's error beside it, open the section holding the form and take the
// user there. Hidden fields (CSRF token, submission keys) and files are left as the page made them.
(function () {
  "use strict";
  var node = document.getElementById("form-replay");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var form = null;
  Array.prototype.forEach.call(document.forms, function (f) {
    if (!form && new URL(f.getAttribute("action") || location.href, location.href).pathname === data.action) {
      form = f;
    }
  });
  if (!form) { return; }
  function named(name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }
  Object.keys(data.values).forEach(function (name) {
    var values = data.values[name];
    named(name).forEach(function (el) {
      if (el.type === "hidden" || el.type === "file" || el.type === "password") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else {
        el.value = values.length ? values[0] : "";
      }
    });
  });
  var first = null;
  Object.keys(data.errors || {}).forEach(function (name) {
    var span = document.createElement("span");
    span.className = "field-error replayed";
    span.textContent = data.errors[name].join("；");
    var el = named(name)[0];
    if (el) {
      var anchor = el.closest("label") || el;
      anchor.parentNode.insertBefore(span, anchor.nextSibling);
      first = first || el;
    } else {
      form.insertBefore(span, form.firstChild);
    }
  });
  for (var p = form; p; p = p.parentElement) {
    if (p.tagName === "DETAILS") { p.open = true; }
  }
  (first || form).scrollIntoView({block: "center"});
  if (first && first.focus) { first.focus(); }
}());
