/**
 * Entry of the embeddable `<cat-search>` element: importing it defines the
 * element. Published on its own as `@catlab/cat-search`.
 */
export { CatSearch } from './cat-search.ts';
export type { CatMatch, CatSearchState, CatSelectDetail, ResultsChangeDetail } from './events.ts';
export type { Backend } from './search-backend.ts';
export type { BundleManifest, SearchBundle } from '../search/bundle.ts';
