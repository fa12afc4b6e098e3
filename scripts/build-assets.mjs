// Copies the pinned npm packages' built files into indirect_work/static/dist (git-ignored).
// The NHS.UK stylesheet loads its web font from a third-party origin; those @font-face rules are
// removed so pages use the design system's Arial fallback and the CSP can stay 'self' only.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'indirect_work', 'static', 'dist');
const nhsuk = join(root, 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = readFileSync(join(nhsuk, 'nhsuk-frontend.min.css'), 'utf8')
  .replace(/@font-face\{[^}]*assets\.nhs\.uk[^}]*\}/g, '')
  .replace(/url\(\/assets\//g, 'url(assets/')
  .replace(/\/\*# sourceMappingURL=.*?\*\//g, '');
if (css.includes('assets.nhs.uk')) {
  throw new Error('nhsuk-frontend CSS still refers to a third-party origin');
}
writeFileSync(join(out, 'nhsuk-frontend.min.css'), css);
const js = readFileSync(join(nhsuk, 'nhsuk-frontend.min.js'), 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '');
writeFileSync(join(out, 'nhsuk-frontend.min.js'), js);
cpSync(join(nhsuk, 'assets'), join(out, 'assets'), { recursive: true });
cpSync(join(root, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'), join(out, 'chart.umd.min.js'));
console.log(`Front-end assets built into ${out}`);
