/*
 * Budget section of the full dossier: live figures, progressive enhancement.
 *
 * On each change of the budget form (debounced), the form is POSTed, CSRF token included, to
 * the preview endpoint named in data-preview-url; the server computes the figures with the one
 * domain function (applications/budget.py: compute_budget) and answers JSON with the amounts
 * already formatted the French way and the list of problems. Nothing is computed here and
 * nothing is saved. Without this script the page works the same: the figures are shown after
 * each save. No inline script or style: the portal's CSP is script-src 'self'.
 */
(function () {
  "use strict";

  var DELAY_MS = 400;

  function setup(form) {
    var url = form.getAttribute("data-preview-url");
    var panel = document.getElementById("budget-figures");
    if (!url || !panel) {
      return;
    }
    var list = panel.querySelector("[data-problems]");
    var none = panel.querySelector("[data-no-problem]");
    var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var controller = null;
    var last = null;

    function show(data) {
      var values = data.values || {};
      Object.keys(values).forEach(function (key) {
        var nodes = panel.querySelectorAll("[data-figure='" + key + "']");
        for (var i = 0; i < nodes.length; i++) {
          if (nodes[i].textContent !== values[key]) {
            nodes[i].textContent = values[key];
          }
        }
      });
      panel.setAttribute("data-ok", data.ok ? "true" : "false");
      panel.setAttribute("data-balanced", data.balanced ? "true" : "false");
      if (list) {
        while (list.firstChild) {
          list.removeChild(list.firstChild);
        }
        (data.problems || []).forEach(function (problem) {
          var item = document.createElement("li");
          item.className = "text-danger";
          item.setAttribute("data-code", problem.code);
          var link = document.createElement("a");
          link.className = "link-danger";
          link.href = problem.anchor || "#budget-figures";
          link.textContent = problem.message;
          item.appendChild(link);
          list.appendChild(item);
        });
      }
      if (none) {
        none.hidden = !data.ok;
      }
    }

    function refresh() {
      var body = new FormData(form);
      var key = new URLSearchParams(body).toString();
      if (key === last) {
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      panel.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-CSRFToken": tokenInput ? tokenInput.value : "",
          "X-Requested-With": "XMLHttpRequest"
        },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) {
          throw new Error("preview unavailable");
        }
        return response.json();
      }).then(function (data) {
        last = key;
        show(data);
      }).catch(function () {
        // An expired session or a network error: the figures stay as they were; saving
        // still works (and keeps what was typed).
      }).then(function () {
        panel.removeAttribute("aria-busy");
      });
    }

    function schedule() {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(refresh, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  function init() {
    var form = document.getElementById("budget-form");
    if (form) {
      setup(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
