// Bundles the web vault into dist/: content-hashed ES modules and CSS (cached forever by the server) and an
// index.html that names them (never cached). With --tests, bundles test/*.test.ts into .test-out/ for node --test.
import { build } from 'esbuild';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);

if (process.argv.includes('--tests')) {
  const out = path.join(root, '.test-out');
  await rm(out, { recursive: true, force: true });
  const tests = (await readdir(path.join(root, 'test'))).filter((f) => f.endsWith('.test.ts'));
  await build({
    entryPoints: tests.map((f) => path.join(root, 'test', f)),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    loader: { '.txt': 'text' },
    logLevel: 'warning',
  });
} else {
  const out = path.join(root, 'dist');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'src', 'main.ts'), path.join(root, 'src', 'styles.css')],
    outdir: path.join(out, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    loader: { '.txt': 'text' },
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = (name) => {
    const found = outputs.find(([, o]) => o.entryPoint?.endsWith(name));
    if (!found) throw new Error(`no output for ${name}`);
    return '/' + path.relative(out, path.join(root, found[0])).split(path.sep).join('/');
  };
  const html = (await readFile(path.join(root, 'index.html'), 'utf8'))
    .replace('%SCRIPT%', entry('src/main.ts'))
    .replace('%STYLES%', entry('src/styles.css'))
    // The app chunk is imported only after the secure-context check; preloading it saves a round trip.
    .replace('%APP%', entry('src/app.ts'));
  await writeFile(path.join(out, 'index.html'), html);
}
