// The post-it entry of a group: while a post-it is typed, shows the components it would
// probably be classified in (GET /api/v1/spiral/suggestions), in an aria-live region. Nothing
// is chosen for the facilitator: the group's "classify" page preselects them.
"use strict";
(function () {
  const form = document.querySelector("form#entry[data-platform]");
  if (!form) return;
  const input = form.elements.namedItem("text");
  const region = document.getElementById("postit-suggestions");
  const list = document.getElementById("postit-suggestions-list");
  if (!input || !region || !list) return;
  let timer = null;
  let asked = "";

  function question() {
    const checked = form.querySelector("input[name=question]:checked");
    return checked ? checked.value : "";
  }

  function show(suggestions) {
    list.replaceChildren();
    for (const s of suggestions) {
      const li = document.createElement("li");
      const code = document.createElement("strong");
      code.textContent = s.code;
      li.appendChild(code);
      if (s.label) li.appendChild(document.createTextNode(" — " + s.label));
      list.appendChild(li);
    }
    region.hidden = suggestions.length === 0;
  }

  async function ask() {
    const text = input.value.trim();
    const params = new URLSearchParams({
      text: text,
      question: question(),
      platform: form.dataset.platform,
      limit: "3",
    });
    const query = params.toString();
    if (query === asked) return;
    asked = query;
    if (!/[\p{L}\p{N}]/u.test(text)) {
      show([]);
      return;
    }
    try {
      const r = await fetch("/api/v1/spiral/suggestions?" + query, { headers: { Accept: "application/json" } });
      if (!r.ok || query !== asked) return;
      const body = await r.json();
      if (query === asked) show(body.suggestions || []);
    } catch (e) {
      // Offline or refused: nothing shown; the classify page still suggests.
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  // After a save the field is empty again: nothing to suggest.
  show([]);
})();
