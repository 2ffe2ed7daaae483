/**
 * The project's root directory (the one holding `gen/` and `src/`), for files
 * read at run time. One level up from this file, and from the production
 * bundle (`dist/service.cjs`, where `import.meta.url` is its own URL), which
 * sits in `dist/` next to `src/`.
 */
export const projectRoot = new URL("../", import.meta.url);
