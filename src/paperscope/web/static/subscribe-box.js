// Subscribe forms: send the browser's IANA timezone, so 07:00 means 07:00 where the reader is.
// A separate file because the site's CSP forbids inline scripts.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  if (!zone) return;
  document.querySelectorAll("input[data-browser-timezone]").forEach(function (input) {
    if (!input.value || input.value === "UTC") input.value = zone;
  });
})();
