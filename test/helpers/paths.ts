import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
/** the compiled executable; `npm test` builds it before any test runs */
export const ZINIT = join(ROOT, "dist", "zinit");
