import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The console is served under /console/ (local mode on the API's port; CloudFront in AWS).
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    // scripts/size-report.mjs reads the manifest to weigh what the first page load fetches.
    manifest: true,
    target: "es2022",
    // No inline <script> or data: module preloads: the CSP allows scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
