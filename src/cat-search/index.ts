/**
 * Entry of the embeddable `<cat-search>` element: importing it defines the
 * element. Published on its own as `@catlab/cat-search`.
 */
export { CatSearch, type CatMatch, type CatSearchState, type CatSelectDetail, type ResultsChangeDetail } from './cat-search.ts';
export type { Backend } from './search-backend.ts';
export type { BundleManifest, SearchBundle } from '../search/bundle.ts';
