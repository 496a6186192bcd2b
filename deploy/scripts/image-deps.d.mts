// Types of image-deps.mjs.

export const SERVICES: string[];

export interface ImageDeps {
  image: string;
  bytes: number;
  /** Package name → bytes, largest first. */
  packages: Record<string, number>;
}

/** Installed packages (name → bytes) in every node_modules under root, workspace links left out. */
export function installed(root: string): Map<string, number>;

/** `npm ci --omit=dev` of the repository's manifests in a new temp dir, returned (the caller removes it). */
export function productionInstall(): string;

/** Sizes of the whole production install ("all") and of each service's pruned copy. */
export function measure(services?: string[]): ImageDeps[];
