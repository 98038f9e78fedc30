/*
 * Commune chooser (connaissance/territories/forms.py: CommuneWidget), progressive enhancement.
 *
 * Without this script the text input is searched by the server, which re-displays the form with
 * the matching communes as radio buttons. With it, the input becomes an editable ARIA combobox
 * with list autocomplete (WAI-ARIA APG pattern): suggestions come from the JSON endpoint named
 * in data-commune-search; Up/Down move in the list, Enter picks, Escape closes.
 * No inline script or style: the portal's CSP is script-src 'self', style-src 'self'.
 */
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 200;
  var counter = 0;

  function setup(container) {
    var input = container.querySelector("input[type=text]");
    var status = container.querySelector("[data-commune-status]");
    var url = container.getAttribute("data-commune-search");
    if (!input || !url || input.getAttribute("role") === "combobox") {
      return;
    }
    counter += 1;
    var listId = (input.id || "commune-search-" + counter) + "-listbox";
    var listbox = document.createElement("ul");
    listbox.id = listId;
    listbox.setAttribute("role", "listbox");
    listbox.className = "list-group position-absolute w-100 shadow z-3 overflow-auto mt-1";
    listbox.style.maxHeight = "20rem"; // CSSOM, allowed by the CSP (no style attribute)
    listbox.hidden = true;
    var label = input.labels && input.labels.length ? input.labels[0].textContent.trim() : "";
    if (label) {
      listbox.setAttribute("aria-label", label);
    }
    input.insertAdjacentElement("afterend", listbox);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var results = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var lastQuery = null;

    function announce(count) {
      if (!status) {
        return;
      }
      var key = count === 0 ? "data-msg-none" : count === 1 ? "data-msg-one" : "data-msg-many";
      status.textContent = (container.getAttribute(key) || "").replace("{count}", String(count));
    }

    function open() {
      if (results.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function setActive(index) {
      var options = listbox.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        var selected = i === index;
        options[i].setAttribute("aria-selected", selected ? "true" : "false");
        options[i].classList.toggle("active", selected);
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render() {
      listbox.textContent = "";
      results.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "list-group-item list-group-item-action";
        option.textContent = item.label;
        var details = [item.departement, item.epci].filter(Boolean).join(" · ");
        if (details) {
          var small = document.createElement("small");
          small.className = "d-block text-body-secondary";
          small.textContent = details;
          option.appendChild(small);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
        });
        option.addEventListener("click", function () {
          pick(i);
        });
        listbox.appendChild(option);
      });
      active = -1;
      if (results.length) {
        open();
      } else {
        close();
      }
      announce(results.length);
    }

    function pick(index) {
      var item = results[index];
      if (!item) {
        return;
      }
      input.value = item.label;
      lastQuery = item.label;
      close();
      hideStaleCandidates();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function hideStaleCandidates() {
      // Server-side candidates belong to the text they were found for.
      var fieldset = container.querySelector("[data-commune-candidates]");
      var query = fieldset && fieldset.querySelector("input[type=hidden]");
      if (fieldset && query) {
        fieldset.hidden = query.value.trim() !== input.value.trim();
      }
    }

    function search() {
      var query = input.value.trim();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (controller) {
        controller.abort();
      }
      if (query.length < MIN_LENGTH) {
        results = [];
        render();
        if (status) {
          status.textContent = "";
        }
        return;
      }
      controller = window.AbortController ? new AbortController() : null;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(address, {
        headers: {Accept: "application/json"},
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() !== query) {
            return; // typed on meanwhile
          }
          results = Array.isArray(data) ? data : [];
          render();
        })
        .catch(function () {
          // Network trouble or aborted: the server still resolves the text on submit.
        });
    }

    input.addEventListener("input", function () {
      hideStaleCandidates();
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = results.length;
      switch (event.key) {
        case "ArrowDown":
          if (!count) {
            return;
          }
          event.preventDefault();
          if (listbox.hidden) {
            open();
            setActive(event.altKey ? -1 : 0);
          } else if (!event.altKey) {
            setActive(active + 1 >= count ? 0 : active + 1);
          }
          break;
        case "ArrowUp":
          if (!count) {
            return;
          }
          event.preventDefault();
          if (listbox.hidden) {
            open();
            setActive(count - 1);
          } else {
            setActive(active <= 0 ? count - 1 : active - 1);
          }
          break;
        case "Enter":
          if (!listbox.hidden && active >= 0) {
            event.preventDefault(); // pick, do not submit the form
            pick(active);
          }
          break;
        case "Escape":
          if (!listbox.hidden) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            lastQuery = "";
            results = [];
            hideStaleCandidates();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  function init() {
    var containers = document.querySelectorAll("[data-commune-search]");
    for (var i = 0; i < containers.length; i++) {
      setup(containers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
