/**
 * The project's root directory (the one holding `gen/` and `src/`), for files
 * read at run time. One level up from this file, and from every chunk of the
 * production bundle, which sits in `dist/` next to `src/`.
 */
export const projectRoot = new URL("../", import.meta.url);
