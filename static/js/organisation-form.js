/* Organisation form: show the training-body fields only for a training body, and the postcode
   and town only for an organisation outside Hauts-de-France. Without JavaScript every field is
   shown, with a hint saying when it applies. */
(function () {
  "use strict";

  function wrapper(field) {
    return document.getElementById("div_" + field.id) || field.closest(".mb-3") || field;
  }

  function setup(form) {
    var kinds = form.querySelectorAll("input[name='kind']");
    var outside = form.querySelector("input[name='outside_region']");
    var trainingSection = document.getElementById("organisme-de-formation");
    var hint = form.querySelector("[data-training-body-hint]");
    var outsideOnly = form.querySelectorAll("[data-outside-region-only]");
    var commune = form.querySelector("input[name='commune']");

    function kind() {
      var checked = form.querySelector("input[name='kind']:checked");
      return checked ? checked.value : "";
    }

    function update() {
      if (trainingSection) {
        // Never hide a field that carries an error.
        var hasError = trainingSection.querySelector(".is-invalid");
        trainingSection.hidden = kind() !== "training_body" && !hasError;
        if (hint) { hint.hidden = true; }
      }
      var isOutside = outside && outside.checked;
      outsideOnly.forEach(function (field) {
        wrapper(field).hidden = !isOutside && !field.classList.contains("is-invalid");
      });
      if (commune) {
        wrapper(commune).hidden = isOutside && !commune.classList.contains("is-invalid");
      }
    }

    kinds.forEach(function (input) { input.addEventListener("change", update); });
    if (outside) { outside.addEventListener("change", update); }
    update();
  }

  document.querySelectorAll("[data-organisation-form]").forEach(setup);
})();
