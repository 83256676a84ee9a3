// Packaging: the packed tarball (`npm pack pkg`) installed into one small app per host, each
// running the same app (app.js) and showing a real Scorer result, compared with the built
// package's own. Fixtures are staged under target/packaging/; their dependencies are installed
// from their lockfiles once and kept while the lockfile is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as built from '../../pkg/node.js';
import { run as app } from './app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
const stage = join(root, 'target/packaging');
const expected = app(built);
let tarball;
let browser;

function sh(cmd, args, cwd, extra = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...extra } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Copies fixture `name` (with the shared app, and for pages the shared page) into the stage,
 * installs its dependencies if its lockfile changed, and installs the tarball. */
function prepare(name, { app: appName = 'app.js', page = false } = {}) {
  const src = join(here, 'fixtures', name);
  const dir = join(stage, name);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (entry !== 'node_modules') rmSync(join(dir, entry), { recursive: true, force: true });
  }
  cpSync(src, dir, { recursive: true });
  cpSync(join(here, 'app.js'), join(dir, name === 'next' ? 'app/app.js' : appName));
  if (page) {
    if (!existsSync(join(dir, 'main.js'))) cpSync(join(here, 'main.js'), join(dir, 'main.js'));
    cpSync(join(here, 'page.html'), join(dir, 'index.html'));
  }
  const lock = join(dir, 'package-lock.json');
  if (existsSync(lock)) {
    const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
    const marker = join(dir, 'node_modules', '.installed-lock');
    if (!existsSync(marker) || readFileSync(marker, 'utf8') !== hash) {
      sh('npm', ['ci', '--no-audit', '--no-fund'], dir);
      writeFileSync(marker, hash);
    }
  }
  rmSync(join(dir, 'node_modules', 'rapportjs'), { recursive: true, force: true });
  sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', tarball], dir);
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = netServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves `dir` on 127.0.0.1; resolves to the server. */
function serveDir(dir) {
  const server = createServer(async (req, res) => {
    let f = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    try {
      if ((await stat(f)).isDirectory()) f = join(f, 'index.html');
      const body = await readFile(f);
      res.writeHead(200, { 'content-type': TYPES[extname(f)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Starts a long-running server command; resolves once `url` answers. */
async function start(cmd, args, cwd, url) {
  let log = '';
  const child = spawn(cmd, args, { cwd, detached: true, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      stop(child);
      throw new Error(`${cmd} ${args.join(' ')} did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return child;
}

function stop(child) {
  if (child && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

/** Opens `url` in Chromium and returns the app's result from the page, failing on any request
 * that went wrong. */
async function resultOf(url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  try {
    await page.goto(url);
    await page.waitForSelector('#result[data-ready]', { timeout: 60_000 });
    const text = await page.textContent('#result');
    assert.equal(await page.getAttribute('#result', 'data-ready'), 'true', text);
    assert.deepEqual(problems, []);
    return JSON.parse(text);
  } finally {
    await page.close();
  }
}

async function servedResult(dir) {
  const server = await serveDir(dir);
  try {
    return await resultOf(`http://127.0.0.1:${server.address().port}/`);
  } finally {
    server.close();
  }
}

before(async () => {
  mkdirSync(stage, { recursive: true });
  const name = sh('npm', ['pack', join(root, 'pkg'), '--pack-destination', stage, '--silent'], root).trim().split('\n').at(-1);
  tarball = join(stage, name);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

test('the tarball holds the entries, declarations, CLI, README and licences', () => {
  const files = sh('tar', ['tzf', tarball], root).split('\n');
  for (const f of ['README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'package.json', 'node.js', 'browser.js', 'workerd.js', 'manual.js', 'manual.d.ts', 'index.d.ts', 'rapport_bg.wasm', 'full/manual.d.ts', 'full/rapport_bg.wasm', 'cli/rapportjs.mjs']) {
    assert.ok(files.includes(`package/${f}`), `${f} is in the tarball`);
  }
  const manifest = JSON.parse(sh('tar', ['xzOf', tarball, 'package/package.json'], root));
  assert.equal(manifest.name, 'rapportjs');
  assert.equal(manifest.bin.rapportjs, 'cli/rapportjs.mjs');
  assert.match(manifest.engines.node, /20\.19/);
});

test('Node, ESM: import, and npx rapportjs inside the app', () => {
  const dir = prepare('node-esm');
  assert.deepEqual(JSON.parse(sh('node', ['index.mjs'], dir)), expected);
  const cli = JSON.parse(sh('npx', ['--no-install', 'rapportjs', 'score', 'events.csv', '--map', 'customer=clientId,when=timestamp,type=kind,amount=value', '--format', 'json'], dir));
  assert.deepEqual(cli.clients.map((c) => [c.clientId, c.revenue]), [['acme', 49], ['globex', 12]]);
});

test('Node, require()', () => {
  const dir = prepare('node-cjs', { app: 'app.mjs' });
  assert.deepEqual(JSON.parse(sh('node', ['index.cjs'], dir)), expected);
});

test('TypeScript, strict, under node16, nodenext and bundler resolution', () => {
  const dir = prepare('typescript');
  for (const m of ['node16', 'nodenext', 'bundler']) sh('npx', ['--no-install', 'tsc', '-p', `tsconfig.${m}.json`], dir);
  assert.deepEqual(JSON.parse(sh('node', ['out-nodenext/index.js'], dir)), expected);
});

test('Vite: build', async () => {
  const dir = prepare('vite', { page: true });
  sh('npx', ['--no-install', 'vite', 'build'], dir);
  assert.deepEqual(await servedResult(join(dir, 'dist')), expected);
});

test('Vite: dev server', async () => {
  const dir = join(stage, 'vite');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = await start('npx', ['--no-install', 'vite', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], dir, url);
  try {
    assert.deepEqual(await resultOf(url), expected);
  } finally {
    stop(child);
  }
});

test('webpack 5', async () => {
  const dir = prepare('webpack', { page: true });
  sh('npx', ['--no-install', 'webpack'], dir);
  cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
  // webpack bundles a classic script, not a module.
  writeFileSync(join(dir, 'dist/index.html'), readFileSync(join(dir, 'dist/index.html'), 'utf8').replace(' type="module"', ''));
  assert.deepEqual(await servedResult(join(dir, 'dist')), expected);
});

test('esbuild, with the .wasm imported through the file loader', async () => {
  const dir = prepare('esbuild', { page: true });
  sh('node', ['build.mjs'], dir);
  cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
  assert.deepEqual(await servedResult(join(dir, 'dist')), expected);
});

test('Rollup, with the .wasm emitted beside the bundle', async () => {
  const dir = prepare('rollup', { page: true });
  sh('npx', ['--no-install', 'rollup', '-c'], dir);
  cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
  assert.deepEqual(await servedResult(join(dir, 'dist')), expected);
});

test('Next.js 16: build and start, a client component with a static import', async () => {
  const dir = prepare('next');
  sh('npx', ['--no-install', 'next', 'build'], dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = await start('npx', ['--no-install', 'next', 'start', '-p', String(port), '-H', '127.0.0.1'], dir, url);
  try {
    assert.deepEqual(await resultOf(url), expected);
  } finally {
    stop(child);
  }
});

test('Cloudflare Workers: wrangler dev', async () => {
  const dir = prepare('workerd');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const wrangler = join(root, 'node_modules/.bin/wrangler');
  const child = await start(wrangler, ['dev', '--ip', '127.0.0.1', '--port', String(port), '--config', join(dir, 'wrangler.toml')], dir, url);
  try {
    assert.deepEqual(await (await fetch(url)).json(), expected);
  } finally {
    stop(child);
  }
});
