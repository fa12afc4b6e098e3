// Log form: a search box that filters the colleagues' checkbox list by name. Without it the list
// works as plain checkboxes; ticked colleagues always stay visible.
for (const box of document.querySelectorAll('[data-colleague-search]')) {
  const list = document.getElementById(box.dataset.colleagueSearch);
  const search = box.querySelector('input[type="search"]');
  const status = box.querySelector('[aria-live]');
  if (!list || !search) continue;
  box.hidden = false;
  const filter = () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of list.querySelectorAll('.iw-colleague')) {
      const ticked = item.querySelector('input[type="checkbox"]').checked;
      const match = words.every((w) => item.dataset.name.includes(w));
      item.hidden = !(match || ticked);
      if (!item.hidden) shown += 1;
    }
    if (status) status.textContent = `${shown} colleague${shown === 1 ? '' : 's'} shown`;
  };
  search.addEventListener('input', filter);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') event.preventDefault(); // Enter filters; it never submits the form
  });
}
