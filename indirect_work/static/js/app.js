// Page behaviour for every page. Loaded as a module from our own origin (the CSP forbids inline script).
import { initAll } from '../dist/nhsuk-frontend.min.js';

// NHS.UK frontend only initialises its components once the page says it can run them; its
// template does this with an inline script, which our CSP forbids, so it is done here.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();

// Character count for text areas that declare data-maxlength on their form group.
for (const group of document.querySelectorAll('.iw-character-count')) {
  const textarea = group.querySelector('textarea');
  const message = group.querySelector('.iw-character-count__message');
  const max = Number(group.dataset.maxlength);
  if (!textarea || !message || !max) continue;
  const update = () => {
    const left = max - textarea.value.length;
    message.textContent = left >= 0
      ? `You have ${left} character${left === 1 ? '' : 's'} remaining`
      : `You have ${-left} character${left === -1 ? '' : 's'} too many`;
    message.classList.toggle('iw-character-count__message--over', left < 0);
  };
  textarea.addEventListener('input', update);
  update();
}

// Elements shown only when a select's chosen option carries data-reveal (patient-specific fields).
for (const select of document.querySelectorAll('select[data-reveals]')) {
  const target = document.getElementById(select.dataset.reveals);
  if (!target) continue;
  const update = () => {
    const option = select.options[select.selectedIndex];
    const show = option && option.dataset.patientSpecific === 'true';
    target.classList.toggle('iw-hidden', !show);
  };
  select.addEventListener('change', update);
  update();
}

// Other page modules register themselves by data attribute.
if (document.querySelector('[data-iw-chart]')) {
  import('./charts.js');
}
