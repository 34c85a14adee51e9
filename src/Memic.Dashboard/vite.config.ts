import { defineConfig } from 'vite';

// Everything the page needs is bundled into dist/ at build time: the hosts serve it as static files and the
// machines it runs on have no internet, so nothing may be fetched from a CDN at run time.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Nothing inlined as a data: URL: every file is served, and cached for good, under its content-hashed name.
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev` against a local server: `dotnet run --project src/Memic.Server` on its default address.
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
});
