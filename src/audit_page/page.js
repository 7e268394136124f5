// Filters: each <select data-filter> keeps the cards whose data attribute of
// the same name matches. The choice is kept in the address (#route=local&…),
// so a filtered view can be bookmarked or shared; a link to a card's id
// (#asset-…) shows that card.
(function () {
  const selects = Array.from(document.querySelectorAll("select[data-filter]"));
  const cards = Array.from(document.querySelectorAll("#cards > .card"));
  const shown = document.getElementById("shown");
  function apply() {
    const wanted = selects.filter((s) => s.value !== "").map((s) => [s.dataset.filter, s.value]);
    let count = 0;
    for (const card of cards) {
      const keep = wanted.every(([name, value]) => card.dataset[name] === value);
      card.hidden = !keep;
      if (keep) count += 1;
    }
    shown.textContent = count + " of " + cards.length + " shown";
  }
  function fromAddress() {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash.startsWith("asset-")) {
      const card = document.getElementById(hash);
      if (card && card.hidden) {
        for (const s of selects) s.value = "";
        apply();
        card.scrollIntoView();
      }
      return;
    }
    const params = new URLSearchParams(hash);
    for (const s of selects) {
      const value = params.get(s.dataset.filter) || "";
      s.value = Array.from(s.options).some((o) => o.value === value) ? value : "";
    }
    apply();
  }
  for (const s of selects) {
    s.addEventListener("change", () => {
      apply();
      const params = new URLSearchParams();
      for (const t of selects) if (t.value !== "") params.set(t.dataset.filter, t.value);
      history.replaceState(null, "", params.toString() ? "#" + params : location.pathname);
    });
  }
  window.addEventListener("hashchange", fromAddress);
  if (location.hash) fromAddress();
})();
