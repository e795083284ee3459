// Vite (build and dev server) and Vitest configuration for the Tern UI.
// Run from the repository root with `--config ui/vite.config.ts`; paths resolve from this folder.
import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  // Vite and Vitest caches go with the dependencies (ignored), not under ui/.
  cacheDir: fileURLToPath(new URL("../node_modules/.vite", import.meta.url)),
  plugins: [svelte({ configFile: false })],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK / WKWebView on the oldest systems Tauri 2 supports.
    target: "safari14",
    sourcemap: false,
  },
  test: {
    root: here,
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
