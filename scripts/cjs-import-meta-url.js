// Injected into the CommonJS bundle (scripts/build.ts): `import.meta.url`
// means there what it means in the sources, the URL of the running file.
import { pathToFileURL } from "node:url";

export const importMetaUrl = pathToFileURL(__filename).href;
