/**
 * Styles of `<cat-search>`. Lit adopts them as constructable stylesheets, which
 * a `style-src 'self'` Content-Security-Policy does not block, unlike
 * `<style>` elements or `style` attributes.
 */
import { css } from 'lit';

export const catSearchStyles = css`
  :host {
    --_accent: var(--cat-search-accent, #c2410c);
    --_tile: var(--cat-search-tile-size, 64px);
    --_gap: var(--cat-search-gap, 8px);
    display: block;
    font-family: var(--cat-search-font, system-ui, sans-serif);
    font-size: 14px;
    color: var(--cat-search-text-color, inherit);
    background: var(--cat-search-background, transparent);
  }
  :host([hidden]) { display: none; }
  h3 { font-size: 1em; margin: var(--_gap) 0 4px; }
  canvas { display: block; width: var(--_tile); height: var(--_tile); image-rendering: pixelated; background: #000; }
  button { font: inherit; }
  .status { font-size: 0.85em; opacity: 0.8; margin-bottom: var(--_gap); }
  .status[data-state='error'], .error { color: #b91c1c; opacity: 1; }
  .query { display: flex; flex-wrap: wrap; gap: var(--_gap); align-items: flex-start; }
  .query form { display: flex; gap: 4px; align-items: center; }
  .query input { width: 7em; font: inherit; }
  .pair { display: flex; flex-direction: column; gap: 2px; }
  .caption { max-width: calc(var(--_tile) * 3); overflow-wrap: anywhere; font-size: 0.85em; }
  .list { display: flex; flex-wrap: wrap; gap: var(--_gap); list-style: none; margin: 0; padding: 0; }
  .result { display: flex; flex-direction: column; gap: 2px; width: var(--_tile); cursor: pointer; font-size: 0.8em; }
  .result .file { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .similarity { font-variant-numeric: tabular-nums; }
  .badge { align-self: flex-start; padding: 0 3px; border-radius: 3px; background: var(--_accent); color: #fff; font-size: 0.85em; }
  .badge[data-mark='near-duplicate'] { background: transparent; color: var(--_accent); outline: 1px solid var(--_accent); }
  .grid-nav { display: flex; gap: var(--_gap); align-items: center; margin: var(--_gap) 0 4px; }
  .grid { display: flex; flex-wrap: wrap; gap: 3px; }
  .tile { padding: 0; border: 2px solid transparent; background: none; cursor: pointer; }
  .tile[aria-pressed='true'] { border-color: var(--_accent); }
  .tile:focus-visible, .result:focus-visible { outline: 2px solid var(--_accent); }
`;
