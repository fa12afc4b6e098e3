// Log and edit forms: patient-specific fields that are hidden are also disabled, so a value typed
// before switching to another type is not sent (the server would refuse it for that type).
for (const select of document.querySelectorAll('select[data-reveals]')) {
  const target = document.getElementById(select.dataset.reveals);
  if (!target) continue;
  const sync = () => {
    const option = select.options[select.selectedIndex];
    const show = Boolean(option && option.dataset.patientSpecific === 'true');
    target.classList.toggle('iw-hidden', !show);
    for (const input of target.querySelectorAll('input, textarea')) input.disabled = !show;
  };
  select.addEventListener('change', sync);
  sync();
}
