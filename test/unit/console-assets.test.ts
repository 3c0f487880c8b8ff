import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAssets, initialScripts, initialStyles } from '../../bench/console-assets.ts';

describe('the console bench: what the built console loads', () => {
  it('reads the entry script and its modulepreload links from index.html, not the stylesheet', () => {
    const html = `<head>
      <script type="module" crossorigin src="/app/assets/index-a.js"></script>
      <link rel="modulepreload" crossorigin href="/app/assets/vendor-b.js">
      <link rel="stylesheet" crossorigin href="/app/assets/index-c.css">
      <link rel="icon" href="data:," />
    </head>`;
    expect(initialScripts(html)).toEqual(['/app/assets/index-a.js', '/app/assets/vendor-b.js']);
    expect(initialStyles(html)).toEqual(['/app/assets/index-c.css']);
  });

  describe('groups the files by the route their lazy chunk serves (Vite manifest and routes.ts)', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'console-assets-'));
      const dist = join(dir, 'dist');
      await mkdir(join(dist, '.vite'), { recursive: true });
      await mkdir(join(dist, 'assets'));
      await mkdir(join(dir, 'src/pages/records'), { recursive: true });
      await mkdir(join(dir, 'src/pages/dashboard'), { recursive: true });
      await mkdir(join(dir, 'src/pages/tables'), { recursive: true });
      const files = {
        'index.js': 'x'.repeat(1000),
        'index.css': 'y'.repeat(200),
        'contacts.js': 'z'.repeat(300),
        'table.js': 'w'.repeat(400),
        'companies.js': 'v'.repeat(100),
        'dashboard.js': 'u'.repeat(500),
        'lists.js': 't'.repeat(600),
      };
      for (const [name, content] of Object.entries(files))
        await writeFile(join(dist, 'assets', name), content);
      await writeFile(
        join(dist, '.vite/manifest.json'),
        JSON.stringify({
          'index.html': {
            file: 'assets/index.js',
            src: 'index.html',
            isEntry: true,
            css: ['assets/index.css'],
          },
          'src/pages/records/contacts-list.tsx': {
            file: 'assets/contacts.js',
            src: 'src/pages/records/contacts-list.tsx',
            isDynamicEntry: true,
            imports: ['_table.js', 'index.html'],
          },
          'src/pages/records/companies-list.tsx': {
            file: 'assets/companies.js',
            src: 'src/pages/records/companies-list.tsx',
            isDynamicEntry: true,
            imports: ['_table.js'],
          },
          '_table.js': { file: 'assets/table.js' },
          'src/pages/dashboard/dashboard.tsx': {
            file: 'assets/dashboard.js',
            src: 'src/pages/dashboard/dashboard.tsx',
            isDynamicEntry: true,
          },
          'src/pages/tables/pages.tsx': {
            file: 'assets/lists.js',
            src: 'src/pages/tables/pages.tsx',
            isDynamicEntry: true,
          },
        }),
      );
      await writeFile(
        join(dir, 'src/pages/records/routes.ts'),
        `export const recordsRoutes = [
          { path: '/app/contacts', component: lazy(() => import('./contacts-list.tsx').then((m) => m.ContactsList)) },
          { path: '/app/companies', component: lazy(() => import('./companies-list.tsx').then((m) => m.CompaniesList)) },
        ];`,
      );
      // The other two ways an area names its page module: a lazy constant, and an import helper.
      await writeFile(
        join(dir, 'src/pages/dashboard/routes.ts'),
        `const Dashboard = lazy(() => import('./dashboard.tsx').then((module) => module.Dashboard));
        export const dashboardRoutes = [
          { path: '/app/', component: Dashboard },
          { path: '/app', component: Dashboard },
        ];`,
      );
      await writeFile(
        join(dir, 'src/pages/tables/routes.ts'),
        `const pages = () => import('./pages.tsx');
        export const tablesRoutes: readonly PageRoute[] = [
          { path: '/app/leads', component: lazy(() => pages().then((m) => m.LeadsList)) },
          {
            path: '/app/deals',
            component: lazy(() => pages().then((m) => m.DealsList)),
          },
        ];`,
      );
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('names each lazy chunk by its route, with the shared chunks it adds to the initial files', async () => {
      const groups = await groupAssets(
        join(dir, 'dist'),
        dir,
        ['records', 'dashboard', 'tables'].map((area) => join(dir, 'src/pages', area, 'routes.ts')),
      );
      const summary = groups.map((group) => ({
        name: group.name,
        files: group.assets.map((asset) => `${asset.file}:${asset.bytes}`),
      }));
      expect(summary).toEqual([
        { name: 'initial', files: ['assets/index.js:1000', 'assets/index.css:200'] },
        { name: '/app/, /app', files: ['assets/dashboard.js:500'] },
        { name: '/app/companies', files: ['assets/companies.js:100', 'assets/table.js:400'] },
        { name: '/app/contacts', files: ['assets/contacts.js:300', 'assets/table.js:400'] },
        { name: '/app/leads, /app/deals', files: ['assets/lists.js:600'] },
      ]);
      for (const group of groups)
        for (const asset of group.assets) expect(asset.gzipBytes).toBeGreaterThan(0);
    });
  });
});
