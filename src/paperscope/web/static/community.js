// paperscope community: show why an htmx request was refused (rate limit, validation), since
// htmx does not swap error responses. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  function messageOf(xhr) {
    var text = xhr.responseText || "";
    try {
      var data = JSON.parse(text);
      if (data && data.error) return data.error;
    } catch (e) { /* an HTML error page: take its message paragraph */ }
    var doc = new DOMParser().parseFromString(text, "text/html");
    var found = doc.querySelector(".form-error, .error-page p");
    return found ? found.textContent.trim() : "Something went wrong (HTTP " + xhr.status + ").";
  }

  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.elt;
    if (!target) return;
    var note = document.createElement("p");
    note.className = "form-error htmx-error";
    note.setAttribute("role", "alert");
    note.textContent = messageOf(event.detail.xhr);
    var old = target.parentNode && target.parentNode.querySelector(".htmx-error");
    if (old) old.remove();
    target.insertAdjacentElement("afterend", note);
  });
})();
