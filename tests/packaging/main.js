// A page's use of the package, as an app with a bundler writes it: a static import, then init().
import * as rapport from 'rapportjs';
import { run } from './app.js';

const out = document.getElementById('result');
rapport.init().then(
  () => {
    out.textContent = JSON.stringify(run(rapport));
    out.dataset.ready = 'true';
  },
  (e) => {
    out.textContent = `error: ${e}`;
    out.dataset.ready = 'error';
  },
);
