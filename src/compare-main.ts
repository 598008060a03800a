// Entry of the compare page (compare.html).
import './ui/nmf-compare.ts';
